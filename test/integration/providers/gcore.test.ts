/**
 * The Gcore adapter against the simulator: read before write (no toggle when the prefix is
 * already where it should be), a prefix in no active profile as a configuration error before
 * any change, a reseller's client chosen by `clientId`, typed errors for refused keys, rate
 * limits and outages, and Test reporting what Gcore holds.
 */
import { createGcoreProvider } from '../../../activities/providers/gcore';
import { ProviderAuthError, ProviderConfigError, ProviderRateLimitedError, ProviderUnavailableError } from '../../../catalog/errors';
import type { LoadedIntegration } from '../../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../../simulator';
import { expectNoSecrets, thrownBy } from '../../support/secrets';

const KEY = 'gcore-api-key-secret';
const PREFIX = '192.0.2.0/24';
let sim: RunningSimulator;
const adapter = () => createGcoreProvider({ baseUrl: sim.gcoreUrl });
const seen: unknown[] = [];

const integration = (settings: Record<string, unknown> = { prefix: PREFIX }, apiKey = KEY): LoadedIntegration => ({
  id: 'gc-1',
  workspaceId: 'acme',
  type: 'gcore',
  settings,
  credentials: { apiKey },
});
const posts = () => sim.faults.requests.filter((r) => r.provider === 'gcore' && r.method === 'POST');
const announced = (prefix = PREFIX) => sim.gcore.list().find((p) => p.prefix === prefix)?.announced;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  expectNoSecrets(seen, [KEY]);
  await sim.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.gcore.keys.clear();
  sim.gcore.seed({ apiKey: KEY, clientId: 1001, prefix: PREFIX });
  sim.gcore.seed({ apiKey: KEY, clientId: 1001, prefix: '198.51.100.0/24', announced: true });
});

test('activate announces the prefix, withdraw withdraws it, and status reads it', async () => {
  const on = await adapter().activate(integration());
  seen.push(on);
  expect(on).toEqual({ diverted: true, pending: false, detail: `prefix ${PREFIX} announced by Gcore` });
  expect(announced()).toBe(true);
  expect(posts().map((r) => r.body)).toEqual([{ announce: PREFIX, enabled: true }]);
  await expect(adapter().status(integration())).resolves.toMatchObject({ diverted: true });

  await expect(adapter().withdraw(integration())).resolves.toMatchObject({ diverted: false, detail: `prefix ${PREFIX} not announced by Gcore` });
  expect(announced()).toBe(false);
  expect(announced('198.51.100.0/24')).toBe(true); // the other prefix is left alone
});

test('a prefix already in the wanted state is not toggled again (read before write)', async () => {
  sim.gcore.setAnnounced(PREFIX, true); // announced behind our back
  await expect(adapter().activate(integration())).resolves.toMatchObject({ diverted: true });
  await expect(adapter().withdraw(integration({ prefix: '203.0.113.0/24' }))).rejects.toBeInstanceOf(ProviderConfigError);
  expect(posts()).toHaveLength(0);
});

test('a prefix in no active profile is a configuration error, never retried, before any change', async () => {
  const err = await thrownBy(() => adapter().activate(integration({ prefix: '203.0.113.0/24' })));
  seen.push(err);
  expect(err).toBeInstanceOf(ProviderConfigError);
  expect((err as ProviderConfigError).retryable).toBe(false);
  expect(err.message).toContain('not in an active protection profile');
  expect(posts()).toHaveLength(0);
});

test('an IPv6 prefix matches whatever case Gcore writes it in', async () => {
  sim.gcore.seed({ apiKey: KEY, clientId: 1001, prefix: '2001:DB8::/32' });
  await expect(adapter().activate(integration({ prefix: '2001:db8::/32' }))).resolves.toMatchObject({ diverted: true });
  expect(announced('2001:DB8::/32')).toBe(true);
});

test('a reseller key acts on the client its clientId names, and only there', async () => {
  sim.gcore.seed({ apiKey: KEY, clientId: 2002, prefix: '203.0.113.0/24' });
  await expect(adapter().activate(integration({ prefix: '203.0.113.0/24', clientId: 2002 }))).resolves.toMatchObject({ diverted: true });
  expect(sim.faults.requests.filter((r) => r.provider === 'gcore').every((r) => r.path.endsWith('/announces'))).toBe(true);
  // The same prefix is not the client 1001's: with that clientId it is in no profile.
  await expect(adapter().withdraw(integration({ prefix: '203.0.113.0/24', clientId: 1001 }))).rejects.toBeInstanceOf(ProviderConfigError);
  // A client the key does not manage is refused by Gcore.
  await expect(adapter().status(integration({ prefix: PREFIX, clientId: 9999 }))).rejects.toBeInstanceOf(ProviderAuthError);
});

test('a refused key is an authentication error without the key in it', async () => {
  const err = await thrownBy(() => adapter().activate(integration(undefined, 'not-the-key')));
  seen.push(err);
  expect(err).toBeInstanceOf(ProviderAuthError);
  expect((err as ProviderAuthError).retryable).toBe(false);
  expectNoSecrets([err], ['not-the-key', KEY]);
});

test("rate limits keep the provider's Retry-After; outages and timeouts are retryable", async () => {
  sim.faults.add({ provider: 'gcore', method: 'POST', status: 429, headers: { 'retry-after': '7' }, body: { message: 'Too many requests' } });
  const limited = (await thrownBy(() => adapter().activate(integration()))) as ProviderRateLimitedError;
  expect(limited).toBeInstanceOf(ProviderRateLimitedError);
  expect(limited.retryAfterMs).toBe(7000);
  expect(announced()).toBe(false);

  sim.faults.add({ provider: 'gcore', method: 'GET', status: 503, body: { message: 'maintenance' } });
  const down = (await thrownBy(() => adapter().activate(integration()))) as ProviderUnavailableError;
  expect(down).toBeInstanceOf(ProviderUnavailableError);
  expect(down.message).toBe('gcore: HTTP 503 maintenance');

  await expect(createGcoreProvider({ baseUrl: 'http://127.0.0.1:1' }).status(integration())).rejects.toBeInstanceOf(ProviderUnavailableError);
  // Temporal's retry of a change whose answer was lost: the toggle is sent again and holds.
  await expect(adapter().activate(integration())).resolves.toMatchObject({ diverted: true });
});

test('Test reports a usable prefix, one announced already, and one Gcore does not switch', async () => {
  await expect(adapter().test(integration())).resolves.toEqual({ ok: true, summary: `API key accepted; prefix ${PREFIX} not announced`, warnings: [] });
  await expect(adapter().test(integration({ prefix: '198.51.100.0/24' }))).resolves.toMatchObject({ ok: false, warnings: [expect.stringContaining('announced now')] });
  const missing = await adapter().test(integration({ prefix: '203.0.113.0/24' }));
  seen.push(missing);
  expect(missing).toMatchObject({ ok: false, warnings: [expect.stringContaining('not in an active protection profile')] });
  expect(posts()).toHaveLength(0);
});

test('invalid settings are a configuration error naming the field', async () => {
  const err = await thrownBy(() => adapter().activate(integration({ prefix: '192.0.2.1' })));
  expect(err).toBeInstanceOf(ProviderConfigError);
  expect(err.message).toBe('gcore: invalid settings (prefix)');
});
