/**
 * The Hetzner Robot adapter against the simulator: full-configuration round trip
 * (rules unchanged by activate and withdraw), the empty-rules refusal, "in process",
 * rate limits with the body's interval, and the login budget shared by every tenant
 * (Robot locks an address out after three failed logins).
 */
import { HetznerLoginFailedError, createHetznerProvider, firewallForm } from '../../../activities/providers/hetzner';
import { ProviderLoginBudgetError, loginBudget, memoryLoginFailures } from '../../../activities/providers/login-budget';
import { ProviderBusyError, ProviderConfigError, ProviderRateLimitedError, ProviderUnavailableError } from '../../../catalog/errors';
import type { LoadedIntegration } from '../../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../../simulator';
import { expectNoSecrets, outcomeRecorder, thrownBy } from '../../support/secrets';

const PASSWORD = 'robot-password-123';
const SERVER = 321;
const RULES = {
  input: [
    { name: 'Allow HTTPS', ip_version: 'ipv4', protocol: 'tcp', dst_port: '443', action: 'accept' },
    { name: 'Allow SSH from office', ip_version: 'ipv4', protocol: 'tcp', src_ip: '192.0.2.0/24', dst_port: '22', tcp_flags: 'syn', action: 'accept' },
  ],
  output: [{ name: 'Allow all', action: 'accept' }],
};
let sim: RunningSimulator;
let adapter: ReturnType<typeof createHetznerProvider>;
const { seen, run, fails } = outcomeRecorder();

function integration(credentials: Record<string, unknown> = { username: '#ws+abc', password: PASSWORD }, serverNumber = SERVER): LoadedIntegration {
  return { id: 'hz-1', workspaceId: 'acme', type: 'hetzner', settings: { serverNumber }, credentials };
}

beforeAll(async () => {
  sim = await startSimulator({ timing: { hetznerInProcessMs: 0 } });
});
afterAll(async () => {
  expectNoSecrets(seen, [PASSWORD]);
  await sim.close();
});
beforeEach(() => {
  sim.hetzner.users.clear();
  sim.hetzner.servers.clear();
  sim.faults.reset();
  sim.clock.reset();
  sim.timing.hetznerInProcessMs = 0;
  sim.hetzner.users.set('#ws+abc', PASSWORD);
  sim.hetzner.seedServer({ serverNumber: SERVER, firewall: { status: 'disabled', filter_ipv6: true, whitelist_hos: false, port: 'main', rules: RULES } });
  adapter = createHetznerProvider({ baseUrl: sim.hetznerUrl });
});

const posts = () => sim.faults.requests.filter((r) => r.provider === 'hetzner' && r.method === 'POST');

test('activate and withdraw re-send the whole configuration: rules and options survive the round trip', async () => {
  const before = JSON.stringify(sim.hetzner.servers.get(SERVER)!.firewall.rules);
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true });
  expect(sim.hetzner.servers.get(SERVER)!.firewall).toMatchObject({ status: 'active', filter_ipv6: true, whitelist_hos: false, port: 'main' });
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false });
  const firewall = sim.hetzner.servers.get(SERVER)!.firewall;
  expect(firewall).toMatchObject({ status: 'disabled', filter_ipv6: true, whitelist_hos: false });
  expect(JSON.stringify(firewall.rules)).toBe(before);
  expect(posts()).toHaveLength(2);
});

test('idempotent: activating an active firewall writes nothing', async () => {
  await run(adapter.activate(integration()));
  await run(adapter.activate(integration()));
  expect(posts()).toHaveLength(1);
});

test('the form encodes every rule field and both directions', () => {
  const form = new URLSearchParams(firewallForm({ status: 'disabled', filter_ipv6: false, whitelist_hos: true, port: 'main', rules: RULES }, 'active'));
  expect(form.get('status')).toBe('active');
  expect(form.get('rules[input][1][src_ip]')).toBe('192.0.2.0/24');
  expect(form.get('rules[input][1][tcp_flags]')).toBe('syn');
  expect(form.get('rules[output][0][action]')).toBe('accept');
  expect(form.has('rules[output][0][src_ip]')).toBe(false);
});

test('refuses to activate a firewall without input rules, naming the problem', async () => {
  sim.hetzner.seedServer({ serverNumber: SERVER, firewall: { status: 'disabled' } });
  const err = await fails(() => adapter.activate(integration()));
  expect(err).toBeInstanceOf(ProviderConfigError);
  expect(err.message).toContain('would block all incoming traffic');
  expect(posts()).toHaveLength(0);
});

test('"in process" is pending; a change meanwhile is retryable (409 FIREWALL_IN_PROCESS)', async () => {
  sim.timing.hetznerInProcessMs = 60_000;
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true, pending: true });
  await expect(run(adapter.status(integration()))).resolves.toMatchObject({ pending: true });
  const busy = await fails(() => adapter.withdraw(integration()));
  expect(busy).toBeInstanceOf(ProviderBusyError);
  sim.faults.add({ provider: 'hetzner', method: 'GET', status: 200, body: { firewall: { status: 'active', rules: RULES } } });
  const conflict = await fails(() => adapter.withdraw(integration()));
  expect(conflict).toBeInstanceOf(ProviderBusyError);
  expect(conflict.message).toContain('FIREWALL_IN_PROCESS');
  sim.clock.advance(60_000);
  await expect(run(adapter.withdraw(integration()))).resolves.toMatchObject({ diverted: false });
});

test("403 RATE_LIMIT_EXCEEDED waits for the body's interval", async () => {
  sim.faults.add({
    provider: 'hetzner',
    status: 403,
    body: { error: { status: 403, code: 'RATE_LIMIT_EXCEEDED', message: 'rate limit exceeded', max_request: 200, interval: 3600 } },
  });
  const err = await fails(() => adapter.activate(integration()));
  expect(err).toBeInstanceOf(ProviderRateLimitedError);
  expect((err as ProviderRateLimitedError).retryAfterMs).toBe(3_600_000);
});

test('credentials Robot rejected are not used for Tests or reads in the window: later ones fail fast without reaching Robot', async () => {
  const wrong = integration({ username: '#ws+abc', password: 'wrong-password-456' });
  const first = await fails(() => adapter.test(wrong));
  expect(first).toBeInstanceOf(HetznerLoginFailedError);
  expect((first as HetznerLoginFailedError).retryable).toBe(true); // one 401 blocks nothing for good
  for (let i = 0; i < 5; i++) expect(await fails(() => adapter.test(wrong))).toBeInstanceOf(ProviderLoginBudgetError);
  expect(sim.faults.requests.filter((r) => r.provider === 'hetzner')).toHaveLength(1);
  // A provider operation with the right credentials still goes ahead: the address was not locked out.
  await expect(run(adapter.activate(integration()))).resolves.toMatchObject({ diverted: true });
  expectNoSecrets(seen, ['wrong-password-456']);
});

test('one login budget for every tenant: at most 2 failed logins per 10 minutes, operations before Tests and reads, retried by itself after the window', async () => {
  const clock = () => new Date(sim.clock.now());
  const shared = loginBudget('hetzner', memoryLoginFailures(), { failures: 2, windowMs: 10 * 60_000 }, clock);
  const provider = createHetznerProvider({ baseUrl: sim.hetznerUrl, budget: shared });
  const tenant = (password: string) => integration({ username: '#ws+abc', password });
  const unauthorized = () => sim.faults.requests.filter((r) => r.provider === 'hetzner' && r.status === 401).length;
  // Three tenants run Test with wrong passwords: only the first reaches Robot.
  expect(await fails(() => provider.test(tenant('wrong-1')))).toBeInstanceOf(HetznerLoginFailedError);
  for (const password of ['wrong-2', 'wrong-3']) {
    const refused = await fails(() => provider.test(tenant(password)));
    expect(refused).toBeInstanceOf(ProviderLoginBudgetError);
    expect(refused.message).toMatch(/login budget spent: 1 failed logins from this address in the last 10 min.*until 2/);
  }
  // A reconciliation read of the demo workspace waits too; its diversion does not.
  expect(await fails(() => provider.status(integration()))).toBeInstanceOf(ProviderLoginBudgetError);
  await expect(run(provider.activate(integration()))).resolves.toMatchObject({ diverted: true });
  // An operation with bad credentials spends the last failure; the next one is refused without a request.
  expect(await fails(() => provider.withdraw(tenant('wrong-1')))).toBeInstanceOf(HetznerLoginFailedError);
  const spent = await fails(() => provider.withdraw(integration()));
  expect(spent).toBeInstanceOf(ProviderLoginBudgetError);
  expect((spent as ProviderLoginBudgetError).retryAfterMs).toBeGreaterThan(0); // the activity's next retry waits for the window
  expect(unauthorized()).toBe(2); // never the third that locks the address
  sim.clock.advance(10 * 60_000 + 1);
  await expect(run(provider.withdraw(integration()))).resolves.toMatchObject({ diverted: false });
  await expect(run(provider.status(integration()))).resolves.toMatchObject({ diverted: false });
});

test('the simulator locks an IP out after three failures, as Robot does', async () => {
  const direct = (password: string) => createHetznerProvider({ baseUrl: sim.hetznerUrl }).status(integration({ username: '#ws+abc', password }));
  for (let i = 0; i < 3; i++) seen.push(await thrownBy(() => direct('bad')));
  expect(await fails(() => direct(PASSWORD))).toBeInstanceOf(HetznerLoginFailedError);
  sim.clock.advance(10 * 60 * 1000);
  await expect(run(direct(PASSWORD))).resolves.toMatchObject({ diverted: false });
});

test('Test reports rule counts; unknown servers are configuration errors; 503 is retryable', async () => {
  await expect(run(adapter.test(integration()))).resolves.toEqual({
    ok: true,
    summary: `webservice user works; firewall of server ${SERVER} is disabled with 2 input and 1 output rules`,
    warnings: [],
  });
  expect(await fails(() => adapter.status(integration(undefined, 999)))).toBeInstanceOf(ProviderConfigError);
  sim.faults.add({ provider: 'hetzner', status: 503, body: {} });
  expect(await fails(() => adapter.status(integration()))).toBeInstanceOf(ProviderUnavailableError);
});
