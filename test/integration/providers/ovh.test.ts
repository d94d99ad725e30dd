/**
 * The OVH adapter against the simulator: signing (checked against independently
 * computed values), clock resync, Edge Network Firewall create/enable/disable with
 * pending states, "held by the provider" during OVH's own mitigation, error classes.
 */
import { createOvhProvider } from '../../../activities/providers/ovh';
import { ovhSignature } from '../../../activities/providers/ovh-client';
import { ProviderAuthError, ProviderBusyError, ProviderConfigError, ProviderHeldError, ProviderRateLimitedError, ProviderUnavailableError } from '../../../catalog/errors';
import type { LoadedIntegration } from '../../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../../simulator';
import { expectNoSecrets, outcomeRecorder } from '../../support/secrets';

const SECRET = 'ovh-application-secret-xyz';
const CONSUMER = 'ovh-consumer-key-abc';
const KEYS = { applicationKey: 'app-key-1', applicationSecret: SECRET, consumerKey: CONSUMER };
const IP = '203.0.113.7';
const BLOCK = '203.0.113.0/24';
let sim: RunningSimulator;
let adapter: ReturnType<typeof createOvhProvider>;
const { seen, run, fails } = outcomeRecorder();

function integration(overrides: Partial<LoadedIntegration> = {}): LoadedIntegration {
  return { id: 'ovh-1', workspaceId: 'acme', type: 'ovh', settings: { endpoint: 'ovh-eu', ip: IP, ipBlock: BLOCK }, credentials: KEYS, ...overrides };
}

beforeAll(async () => {
  sim = await startSimulator({ timing: { ovhPendingMs: 0 } });
});
afterAll(async () => {
  expectNoSecrets(seen, [SECRET, CONSUMER]);
  await sim.close();
});
beforeEach(() => {
  sim.ovh.consumers.clear();
  sim.ovh.blocks.clear();
  sim.faults.reset();
  sim.clock.reset();
  sim.timing.ovhPendingMs = 0;
  sim.ovh.addConsumer(KEYS);
  sim.ovh.seedIp({ ipBlock: BLOCK, ip: IP, rules: 4 });
  adapter = createOvhProvider({ baseUrl: sim.ovhUrl });
});

const writes = () => sim.faults.requests.filter((r) => r.provider === 'ovh' && r.method !== 'GET');

test('the signature matches values computed independently (OVH guide keys, fixed timestamp)', () => {
  const guide = { applicationSecret: 'EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF', consumerKey: 'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1', timestamp: 1764000000 };
  expect(ovhSignature({ ...guide, method: 'POST', url: 'https://eu.api.ovh.com/1.0/ip/203.0.113.7%2F32/mitigation', body: '{"ipOnMitigation":"203.0.113.7"}' })).toBe(
    '$1$5552b1bdb9ca43726ab26d0146519f04fefd0a2f',
  );
  expect(ovhSignature({ ...guide, method: 'GET', url: 'https://eu.api.ovh.com/1.0/ip/203.0.113.0%2F24/firewall/203.0.113.7', body: '' })).toBe('$1$8014f449fb62d0a3f7bfc3c728d6bf42618e9b44');
});

test('activate creates the firewall entry, enables it, and encodes the block as %2F in the signed URL', async () => {
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true });
  expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /1.0/ip/203.0.113.0%2F24/firewall', 'PUT /1.0/ip/203.0.113.0%2F24/firewall/203.0.113.7']);
  expect(writes().map((r) => r.body)).toEqual([{ ipOnFirewall: IP }, { enabled: true }]);
  expect(sim.ovh.firewall(BLOCK, IP)).toMatchObject({ enabled: true, state: 'ok' });
  // Already enabled: success with no write.
  await run(adapter.activate(integration()));
  expect(writes()).toHaveLength(2);
});

test('withdraw disables it; withdrawing what is disabled or absent writes nothing', async () => {
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false, detail: expect.stringContaining('no firewall entry') });
  await run(adapter.activate(integration()));
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false });
  expect(sim.ovh.firewall(BLOCK, IP)).toMatchObject({ enabled: false });
  const count = writes().length;
  await run(adapter.withdraw(integration()));
  expect(writes()).toHaveLength(count);
});

test('pending states are in progress: reported as pending, and a reverse change waits', async () => {
  sim.timing.ovhPendingMs = 60_000;
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true, pending: true });
  await expect(run(adapter.status(integration()))).resolves.toMatchObject({ diverted: true, pending: true });
  expect(await fails(() => adapter.withdraw(integration()))).toBeInstanceOf(ProviderBusyError);
  sim.clock.advance(60_000);
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false, pending: true });
});

test("OVH's own mitigation holds the firewall on: withdraw is held by the provider, retryable", async () => {
  await run(adapter.activate(integration()));
  sim.ovh.setMitigation(BLOCK, IP, true);
  const err = await fails(() => adapter.withdraw(integration()));
  expect(err).toBeInstanceOf(ProviderHeldError);
  expect((err as ProviderHeldError).retryable).toBe(true);
  await expect(run(adapter.status(integration()))).resolves.toMatchObject({ detail: expect.stringContaining('auto-mitigation active') });
  sim.ovh.setMitigation(BLOCK, IP, false);
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false });
});

test('a clock far from OVH time is corrected from /auth/time after one signature error', async () => {
  await run(adapter.status(integration())); // caches the offset
  sim.clock.advance(3_600_000);
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true });
  expect(sim.faults.requests.filter((r) => r.path === '/1.0/auth/time')).toHaveLength(2);
});

test.each([
  ['a wrong application secret', { ...KEYS, applicationSecret: 'wrong' }, 'Invalid signature'],
  ['an unknown consumer key', { ...KEYS, consumerKey: 'unknown' }, 'INVALID_CREDENTIAL'],
  ['an unknown application key', { ...KEYS, applicationKey: 'unknown' }, 'INVALID_KEY'],
])('%s is a non-retryable ProviderAuthError', async (_what, credentials, text) => {
  const err = await fails(() => adapter.activate(integration({ credentials })));
  expect(err).toBeInstanceOf(ProviderAuthError);
  expect(err.message).toContain(text);
  expect(err.message).toMatch(/request EU\.sim\./); // X-OVH-QueryID kept for support
});

test('Test reports the firewall and its rules, and names missing access rules', async () => {
  await expect(run(adapter.test(integration()))).resolves.toMatchObject({ ok: false, warnings: [expect.stringContaining('no edge firewall entry')] });
  await run(adapter.activate(integration()));
  await expect(run(adapter.test(integration()))).resolves.toEqual({
    ok: true,
    summary: `IP block ${BLOCK} reachable; edge firewall of ${IP} enabled with 4 rules`,
    warnings: [],
  });
  // A consumer key granted only the block itself, not its firewall.
  sim.ovh.addConsumer({ ...KEYS, accessRules: [{ method: 'GET', path: `/ip/${BLOCK}` }] });
  const limited = await run(adapter.test(integration()));
  expect(limited.ok).toBe(false);
  expect(limited.warnings).toContain('the consumer key lacks the access rule GET /ip/*/firewall/*');
});

test('an unknown block is a configuration error; 429 and 5xx are retryable', async () => {
  expect(await fails(() => adapter.activate(integration({ settings: { endpoint: 'ovh-eu', ip: '192.0.2.1' } })))).toBeInstanceOf(ProviderConfigError);
  sim.faults.add({ provider: 'ovh', method: 'PUT', status: 429, headers: { 'retry-after': '3' }, body: { message: 'Too many requests' } });
  const limited = await fails(() => adapter.activate(integration()));
  expect(limited).toBeInstanceOf(ProviderRateLimitedError);
  expect((limited as ProviderRateLimitedError).retryAfterMs).toBe(3000);
  sim.faults.add({ provider: 'ovh', method: 'GET', pathIncludes: '/firewall/', status: 503, body: { message: 'maintenance' } });
  expect(await fails(() => adapter.activate(integration()))).toBeInstanceOf(ProviderUnavailableError);
});

test('a provider that never answers times out as a retryable error', async () => {
  const slow = createOvhProvider({ baseUrl: sim.ovhUrl, timeoutMs: 200 });
  sim.faults.add({ provider: 'ovh', pathIncludes: '/firewall/', delayMs: 1000 });
  expect(await fails(() => slow.status(integration()))).toBeInstanceOf(ProviderUnavailableError);
});

test('a pending state wins over `enabled` (OVH may show the old value until the change is done)', async () => {
  sim.ovh.seedIp({ ipBlock: BLOCK, ip: IP, firewall: { enabled: false } });
  Object.assign(sim.ovh.ip(BLOCK, IP)!.firewall!, { state: 'enableFirewallPending', settlesAt: Number.MAX_SAFE_INTEGER });
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true, pending: true });
  expect(writes()).toHaveLength(0);
});
