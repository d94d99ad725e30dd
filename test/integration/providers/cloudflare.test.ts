/**
 * The Cloudflare adapter against the simulator: read before write, the 15-minute
 * change window as a distinct retryable error with the earliest allowed time,
 * cf-ray kept for support, and every unsafe condition reported by Test.
 */
import { createCloudflareProvider } from '../../../activities/providers/cloudflare';
import { ProviderAuthError, ProviderChangeWindowError, ProviderConfigError } from '../../../catalog/errors';
import type { LoadedIntegration } from '../../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../../simulator';
import { expectNoSecrets, thrownBy } from '../../support/secrets';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const PREFIX = '1123456789abcdef0123456789abcdef';
const BGP = '2123456789abcdef0123456789abcdef';
const TOKEN = 'cloudflare-api-token-secret';
let sim: RunningSimulator;
const adapter = () => createCloudflareProvider({ baseUrl: sim.cloudflareUrl });
const seen: unknown[] = [];

const integration = (apiToken = TOKEN): LoadedIntegration => ({
  id: 'cf-1',
  workspaceId: 'acme',
  type: 'cloudflare',
  settings: { accountId: ACCOUNT, prefixId: PREFIX, bgpPrefixId: BGP },
  credentials: { apiToken },
});

beforeAll(async () => {
  sim = await startSimulator(); // documented timing: one change per prefix per 15 minutes
});
afterAll(async () => {
  expectNoSecrets(seen, [TOKEN]);
  await sim.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.clock.reset();
  sim.cloudflare.accounts.clear();
  sim.cloudflare.seed({ accountId: ACCOUNT, token: TOKEN, prefixId: PREFIX, bgpPrefixId: BGP, cidr: '192.0.2.0/24' });
});

test('a change inside 15 minutes of the last is a retryable window error carrying the earliest allowed time', async () => {
  seen.push(await adapter().activate(integration()));
  const advertisedAt = Date.parse(sim.cloudflare.bgpPrefix(ACCOUNT, PREFIX, BGP)!.on_demand.advertised_modified_at!);
  const err = (await thrownBy(() => adapter().withdraw(integration()))) as ProviderChangeWindowError;
  seen.push(err);
  expect(err).toBeInstanceOf(ProviderChangeWindowError);
  expect(err.retryable).toBe(true);
  expect(Date.parse(err.details.earliestAt!)).toBe(advertisedAt + 15 * 60 * 1000);
  expect(err.retryAfterMs).toBeGreaterThan(14 * 60 * 1000);
  expect(err.message).toMatch(/request [0-9a-f]+-SIM/); // cf-ray

  sim.clock.advance(15 * 60 * 1000);
  await expect(adapter().withdraw(integration())).resolves.toMatchObject({ diverted: false });
});

test('a change made behind our back is read, not overwritten needlessly', async () => {
  sim.cloudflare.setAdvertised(ACCOUNT, PREFIX, BGP, true);
  await expect(adapter().activate(integration())).resolves.toEqual({ diverted: true, pending: false, detail: 'prefix 192.0.2.0/24 advertised' });
  expect(sim.faults.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
});

test('a locked prefix is a configuration error, before any PATCH', async () => {
  sim.cloudflare.seed({ accountId: ACCOUNT, token: TOKEN, prefixId: PREFIX, bgpPrefixId: BGP, cidr: '192.0.2.0/24', locked: true });
  const err = await thrownBy(() => adapter().activate(integration()));
  expect(err).toBeInstanceOf(ProviderConfigError);
  expect(err.message).toContain('locked');
  expect(sim.faults.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
});

test('Test counts prefixes and reports every unsafe on-demand condition', async () => {
  const bgp = sim.cloudflare.bgpPrefix(ACCOUNT, PREFIX, BGP)!;
  bgp.on_demand.on_demand_enabled = false;
  bgp.on_demand.on_demand_locked = true;
  bgp.auto_advertise_withdraw = true;
  bgp.bgp_signal_opts.enabled = true;
  const result = await adapter().test(integration());
  seen.push(result);
  expect(result.summary).toBe('1 prefixes on the account; BGP prefix 192.0.2.0/24 found');
  expect(result.ok).toBe(false);
  expect(result.warnings).toHaveLength(4);
});

test('an invalid token is an authentication error without the token in it', async () => {
  const err = await thrownBy(() => adapter().status(integration('not-the-token')));
  seen.push(err);
  expect(err).toBeInstanceOf(ProviderAuthError);
  expectNoSecrets([err], ['not-the-token']);
});

test('Test reports a prefix or BGP prefix that does not exist instead of failing', async () => {
  const other = { ...integration(), settings: { accountId: ACCOUNT, prefixId: 'f'.repeat(32), bgpPrefixId: BGP } };
  await expect(adapter().test(other)).resolves.toEqual({ ok: false, summary: '1 prefixes on the account', warnings: [`prefix ${'f'.repeat(32)} is not on the account`] });
  const noBgp = { ...integration(), settings: { accountId: ACCOUNT, prefixId: PREFIX, bgpPrefixId: 'e'.repeat(32) } };
  await expect(adapter().test(noBgp)).resolves.toMatchObject({ ok: false, warnings: ['the configured BGP prefix is not on the prefix'] });
});
