/**
 * Activities and the Cloudflare adapter against the simulator, without Temporal:
 * error classification, Retry-After as the next retry delay, credentials never
 * in an error, and the read-before-write that keeps changes idempotent.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { InMemoryIntegrationStore } from '../../activities/integration-store';
import { createProviderRegistry } from '../../activities/providers';
import { parseRetryAfter } from '../../catalog/errors';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { MemoryAuditSink } from '../support/bed';

const ACCOUNT = 'a'.repeat(32);
const PREFIX = 'b'.repeat(32);
const BGP = 'c'.repeat(32);
const TOKEN = 'secret-token-value';
let sim: RunningSimulator;
let store: InMemoryIntegrationStore;
let activities: ReturnType<typeof createActivities>;
const env = new MockActivityEnvironment({ attempt: 3 });
const ref = { workspaceId: 'acme', integrationId: 'cf-1' };

beforeAll(async () => {
  sim = await startSimulator({ timing: { cloudflareChangeIntervalSeconds: 0 } });
  store = new InMemoryIntegrationStore();
  activities = createActivities({ integrations: store, providers: createProviderRegistry({ cloudflare: sim.cloudflareUrl }), audit: new MemoryAuditSink() });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.reset();
  sim.cloudflare.seed({ accountId: ACCOUNT, token: TOKEN, prefixId: PREFIX, bgpPrefixId: BGP, cidr: '192.0.2.0/24' });
  store.put({ id: 'cf-1', workspaceId: 'acme', type: 'cloudflare', settings: { accountId: ACCOUNT, prefixId: PREFIX, bgpPrefixId: BGP }, credentials: { apiToken: TOKEN } });
});

const advertise = (input = { ...ref, operation: 'activate' as const }) => env.run(activities['cloudflare.advertise']!, input);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as ApplicationFailure,
  );
const patches = () => sim.faults.requests.filter((r) => r.method === 'PATCH');

test('advertise PATCHes once and reports the attempt; a second call reads and skips the PATCH', async () => {
  await expect(advertise()).resolves.toEqual({ diverted: true, pending: true, detail: 'prefix 192.0.2.0/24 advertised', attempt: 3 });
  await expect(advertise()).resolves.toMatchObject({ diverted: true, pending: false });
  expect(patches()).toHaveLength(1);
  expect(patches()[0]?.body).toEqual({ on_demand: { advertised: true } });
});

test("an operation given its audit record writes it with the provider's detail before it returns; a database that refuses leaves it to the workflow", async () => {
  const sink = new MemoryAuditSink();
  const audited = createActivities({ integrations: store, providers: createProviderRegistry({ cloudflare: sim.cloudflareUrl }), audit: sink });
  const audit = { workspace: 'acme', actor: 'workflow', action: 'divert', integration: 'cf-1', outcome: 'ok' as const };
  await expect(env.run(audited['cloudflare.advertise']!, { ...ref, operation: 'activate' as const, audit })).resolves.toMatchObject({ diverted: true, audited: true });
  expect(sink.entries).toEqual([{ ...audit, detail: 'prefix 192.0.2.0/24 advertised' }]);

  const refusing = createActivities({
    integrations: store,
    providers: createProviderRegistry({ cloudflare: sim.cloudflareUrl }),
    audit: { record: () => Promise.reject(new Error('database unavailable')) },
  });
  // The provider call still succeeds: the record is not a reason to fail or repeat it.
  await expect(env.run(refusing['cloudflare.withdraw']!, { ...ref, operation: 'withdraw' as const, audit: { ...audit, action: 'withdraw' } })).resolves.toMatchObject({
    diverted: false,
    audited: false,
  });
});

test("an operation's first attempt may use what the worker remembers of its integration; a retry and an operator's Test read it afresh", async () => {
  const asked: { fresh?: boolean }[] = [];
  const watched = {
    loadForOperation: (workspaceId: string, integrationId: string, options: { fresh?: boolean } = {}) => (asked.push(options), store.loadForOperation(workspaceId, integrationId)),
    purge: (workspaceId: string, integrationId: string) => store.purge(workspaceId, integrationId),
  };
  const watching = createActivities({ integrations: watched, providers: createProviderRegistry({ cloudflare: sim.cloudflareUrl }), audit: new MemoryAuditSink() });
  await new MockActivityEnvironment({ attempt: 1 }).run(watching['cloudflare.advertise']!, { ...ref, operation: 'activate' as const });
  await new MockActivityEnvironment({ attempt: 2 }).run(watching['cloudflare.advertise']!, { ...ref, operation: 'activate' as const });
  await new MockActivityEnvironment({ attempt: 1 }).run(watching.testIntegration, ref);
  expect(asked).toEqual([{ fresh: false }, { fresh: true }, { fresh: true }]);
});

test('without bgpPrefixId the adapter finds the BGP prefix matching the IP prefix CIDR', async () => {
  store.put({ id: 'cf-1', workspaceId: 'acme', type: 'cloudflare', settings: { accountId: ACCOUNT, prefixId: PREFIX }, credentials: { apiToken: TOKEN } });
  await expect(advertise()).resolves.toMatchObject({ diverted: true });
  expect(patches()[0]?.path).toContain(`/bgp/prefixes/${BGP}`);
});

test('a wrong token is a non-retryable ProviderAuthError that does not contain the token', async () => {
  store.put({ id: 'cf-1', workspaceId: 'acme', type: 'cloudflare', settings: { accountId: ACCOUNT, prefixId: PREFIX, bgpPrefixId: BGP }, credentials: { apiToken: 'wrong-secret' } });
  const failure = await failureOf(advertise());
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'ProviderAuthError', nonRetryable: true, details: [{ attempt: 3 }] });
  expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toMatch(/secret/);
});

test('429 with Retry-After becomes a retryable failure with that next retry delay', async () => {
  sim.faults.add({ provider: 'cloudflare', method: 'PATCH', status: 429, headers: { 'retry-after': '7' }, body: { success: false, errors: [{ code: 971, message: 'Please wait' }] } });
  const failure = await failureOf(advertise());
  expect(failure).toMatchObject({ type: 'ProviderRateLimitedError', nonRetryable: false, nextRetryDelay: 7000 });
});

test.each([
  [500, 'ProviderUnavailableError', false],
  [503, 'ProviderUnavailableError', false],
  [409, 'ProviderUnavailableError', false],
  [403, 'ProviderAuthError', true],
  [404, 'ProviderRejectedError', true],
  [400, 'ProviderRejectedError', true],
])('HTTP %i is a %s (nonRetryable %s)', async (status, type, nonRetryable) => {
  sim.faults.add({ provider: 'cloudflare', method: 'GET', status, body: { success: false, errors: [{ code: 1000, message: 'x' }] } });
  await expect(failureOf(advertise())).resolves.toMatchObject({ type, nonRetryable });
});

test('a refused connection is retryable', async () => {
  const offline = createActivities({ integrations: store, providers: createProviderRegistry({ cloudflare: 'http://127.0.0.1:1' }), audit: new MemoryAuditSink() });
  await expect(failureOf(env.run(offline['cloudflare.advertise']!, { ...ref, operation: 'activate' as const }))).resolves.toMatchObject({
    type: 'ProviderUnavailableError',
    nonRetryable: false,
  });
});

test('a prefix without on-demand advertisement is a non-retryable configuration error', async () => {
  sim.cloudflare.seed({ accountId: ACCOUNT, token: TOKEN, prefixId: PREFIX, bgpPrefixId: BGP, cidr: '192.0.2.0/24', onDemandEnabled: false });
  await expect(failureOf(advertise())).resolves.toMatchObject({ type: 'ProviderConfigError', nonRetryable: true });
  expect(patches()).toHaveLength(0);
});

test("another workspace's integration is not found, and not retried", async () => {
  await expect(failureOf(advertise({ workspaceId: 'other', integrationId: 'cf-1', operation: 'activate' }))).resolves.toMatchObject({
    type: 'IntegrationNotFoundError',
    nonRetryable: true,
  });
});

test('status and test read the provider without changing it', async () => {
  await expect(env.run(activities.integrationStatus, ref)).resolves.toMatchObject({ diverted: false });
  await expect(env.run(activities.testIntegration, ref)).resolves.toEqual({
    ok: true,
    summary: '1 prefixes on the account; BGP prefix 192.0.2.0/24 found',
    warnings: [],
  });
  expect(patches()).toHaveLength(0);
});

test.each([
  ['5', 5000],
  ['0', 0],
  ['1.5', 1500],
  ['Fri, 27 Nov 2026 10:00:10 GMT', 10000],
  ['soon', undefined],
  [undefined, undefined],
])('Retry-After %j is %s ms', (value, expected) => {
  expect(parseRetryAfter(value, Date.parse('Fri, 27 Nov 2026 10:00:00 GMT'))).toBe(expected);
});
