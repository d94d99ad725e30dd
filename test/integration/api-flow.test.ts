/**
 * The whole path over HTTP: a workspace with one integration per provider, created through
 * the API (credentials encrypted in MongoDB), an attack reported by a detector key diverts at
 * all three simulated providers, manual controls and Test through the workflow, deletion of a
 * diverted integration withdraws it first, and the audit trail records who did what.
 * No credential appears in any response or workflow history.
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { everyHistoryText } from '../support/temporal';

const bed = useBed();
let api: ApiBed;
const hex = () => randomBytes(16).toString('hex');
const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
const ovh = { applicationKey: `ak-${hex()}`, applicationSecret: `as-secret-${hex()}`, consumerKey: `ck-secret-${hex()}`, ip: '203.0.113.9' };
const hz = { username: '#ws+flow', password: `hz-secret-${hex()}`, serverNumber: 777 };
const SECRETS = [cf.token, ovh.applicationSecret, ovh.consumerKey, hz.password];
let owner = '';
let adminKey = { id: '', key: '' };
let detector = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  bed.secrets.push(...SECRETS);
  api = await startApi(bed);
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  bed.sim.ovh.addConsumer(ovh);
  bed.sim.ovh.seedIp({ ipBlock: `${ovh.ip}/32`, ip: ovh.ip, rules: 2 });
  bed.sim.hetzner.users.set(hz.username, hz.password);
  bed.sim.hetzner.seedServer({ serverNumber: hz.serverNumber, firewall: { rules: { input: [{ name: 'https', protocol: 'tcp', dst_port: '443', action: 'accept' }], output: [] } } });
  owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'flow', name: 'Flow Hosting', holdDownSeconds: 1 } })).body.ownerKey.key;
  const admin = await api.call('POST', '/v1/workspaces/flow/api-keys', { token: owner, body: { name: 'noc', role: 'admin' } });
  adminKey = { id: admin.body.id, key: admin.body.key };
  detector = (await api.call('POST', '/v1/workspaces/flow/api-keys', { token: owner, body: { name: 'fastnetmon', role: 'detector' } })).body.key;
});
afterAll(() => api?.close());

const isActive = (view: { integrations: { id: string; actual: string }[] }, id: string) => view.integrations.find((i) => i.id === id)?.actual === 'active';
const scrubbing = async () => (await api.call('GET', '/v1/workspaces/flow/scrubbing', { token: detector })).body;

test('integrations are created per type, returned with masked credentials, and stored encrypted', async () => {
  const bodies = {
    cloudflare: { type: 'cloudflare', name: 'Magic Transit', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } },
    ovh: {
      type: 'ovh',
      name: 'OVH edge firewall',
      settings: { endpoint: 'ovh-eu', ip: ovh.ip },
      credentials: { applicationKey: ovh.applicationKey, applicationSecret: ovh.applicationSecret, consumerKey: ovh.consumerKey },
    },
    hetzner: {
      type: 'hetzner',
      name: 'Robot firewall',
      ...NO_PROVIDER_WINDOWS,
      scope: ['198.51.100.0/24', '192.0.2.0/24'],
      settings: { serverNumber: hz.serverNumber },
      credentials: { username: hz.username, password: hz.password },
    },
  };
  for (const [type, body] of Object.entries(bodies)) {
    const created = await api.call('POST', '/v1/workspaces/flow/integrations', { token: adminKey.key, body });
    expect(created.status).toBe(201);
    ids[type] = created.body.id;
  }
  const list = await api.call('GET', '/v1/workspaces/flow/integrations', { token: detector });
  expect(list.body.find((i: { type: string }) => i.type === 'ovh').credentials).toEqual({ applicationKey: '********', applicationSecret: '********', consumerKey: '********' });
  const raw = await api.database.connection.collection('integrations').find({ workspace: 'flow' }).toArray();
  expect(raw).toHaveLength(3);
  expect(SECRETS.filter((secret) => JSON.stringify(raw).includes(secret))).toEqual([]);
});

test("every answer carries a request id: the caller's when it is a plain token, else a new one", async () => {
  const given = await api.call('GET', '/v1/workspaces/flow', { token: detector, headers: { 'x-request-id': 'noc-ticket-42' } });
  expect(given.headers.get('x-request-id')).toBe('noc-ticket-42');
  const replaced = await api.call('GET', '/v1/workspaces/flow', { token: detector, headers: { 'x-request-id': 'bad id\twith tab' } });
  expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const metrics = await api.call('GET', '/metrics');
  expect(metrics.body).toMatch(/scrubbing_api_requests_total\{method="GET",route="\/v1\/workspaces\/:ws",status="200"\} [1-9]/);
});

test('Test runs in the worker and reports what the provider holds', async () => {
  await api.withWorker(async () => {
    const result = await api.call('POST', `/v1/workspaces/flow/integrations/${ids.cloudflare}/test`, { token: adminKey.key });
    expect(result).toMatchObject({ status: 200, body: { ok: true, summary: '1 prefixes on the account; BGP prefix 192.0.2.0/24 found' } });
    const hetzner = await api.call('POST', `/v1/workspaces/flow/integrations/${ids.hetzner}/test`, { token: adminKey.key });
    expect(hetzner.body.summary).toBe(`webservice user works; firewall of server ${hz.serverNumber} is disabled with 1 input and 0 output rules`);
  });
});

test('an attack reported by a detector diverts at all three providers; the audit trail shows it', async () => {
  await api.withWorker(async () => {
    expect((await api.call('POST', '/v1/workspaces/flow/incidents', { token: detector, body: { id: 'atk-1', target: '192.0.2.50', source: 'fastnetmon' } })).status).toBe(202);
    await eventually(scrubbing, (v) => ['cloudflare', 'ovh', 'hetzner'].every((t) => isActive(v, ids[t]!)), { what: 'all three diverted' });
    expect(bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised).toBe(true);
    expect(bed.sim.ovh.firewall(`${ovh.ip}/32`, ovh.ip)?.enabled).toBe(true);
    expect(bed.sim.hetzner.servers.get(hz.serverNumber)?.firewall.status).toBe('active');

    const events = await eventually(
      async () => (await api.call('GET', '/v1/workspaces/flow/events?limit=50', { token: detector })).body.events as { actor: string; action: string; integration: string | null; outcome: string }[],
      (list) => list.filter((e) => e.action === 'divert').length === 3,
      { what: 'three divert events' },
    );
    expect(events.filter((e) => e.action === 'divert').every((e) => e.actor === 'workflow' && e.outcome === 'ok')).toBe(true);
    expect(events.filter((e) => e.action === 'integration.create').every((e) => e.actor === adminKey.id)).toBe(true);
  });
});

test('manual withdraw through the API answers with the state and is audited with the key', async () => {
  await api.withWorker(async () => {
    const answer = await api.call('POST', `/v1/workspaces/flow/integrations/${ids.ovh}/withdraw`, { token: adminKey.key, body: { reason: 'false positive' } });
    expect(answer).toMatchObject({ status: 200, body: { id: ids.ovh, actual: 'inactive', manual: 'withdraw' } });
    expect(bed.sim.ovh.firewall(`${ovh.ip}/32`, ovh.ip)?.enabled).toBe(false);
    const events = await eventually(
      async () => (await api.call('GET', '/v1/workspaces/flow/events', { token: detector })).body.events as { actor: string; action: string; detail: string }[],
      (list) => list.some((e) => e.action === 'manual.withdraw'),
      { what: 'manual event' },
    );
    expect(events.find((e) => e.action === 'manual.withdraw')).toMatchObject({ actor: adminKey.id, detail: 'false positive' });
  });
});

test('deleting a diverted integration withdraws it first, then removes the record', async () => {
  await api.withWorker(async () => {
    const deleted = await api.call('DELETE', `/v1/workspaces/flow/integrations/${ids.cloudflare}`, { token: adminKey.key });
    expect(deleted).toMatchObject({ status: 202, body: { status: 'withdrawing' } });
    expect((await api.call('GET', `/v1/workspaces/flow/integrations/${ids.cloudflare}`, { token: detector })).status).toBe(404);
    await eventually(
      () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised,
      (v) => v === false,
      { what: 'withdrawn' },
    );
    await eventually(
      () => api.database.connection.collection('integrations').countDocuments({ _id: ids.cloudflare as never }),
      (n) => n === 0,
      { what: 'record removed' },
    );
  });
});

test('a changed hold-down reaches the workflow; the resolve withdraws what is left', async () => {
  await api.withWorker(async () => {
    const patched = await api.call('PATCH', '/v1/workspaces/flow', { token: adminKey.key, body: { holdDownSeconds: 0 } });
    expect(patched.body.holdDownSeconds).toBe(0);
    await eventually(scrubbing, (v) => v.holdDownSeconds === 0, { what: 'hold-down applied' });
    expect((await api.call('POST', '/v1/workspaces/flow/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    await eventually(
      () => bed.sim.hetzner.servers.get(hz.serverNumber)?.firewall.status,
      (s) => s === 'disabled',
      { what: 'Hetzner withdrawn' },
    );
    expect(bed.sim.hetzner.servers.get(hz.serverNumber)?.firewall.rules.input).toHaveLength(1);
  });
});

test('a refusing provider fails a Test with ok false and a manual action with 422; a slow one answers 202 and finishes', async () => {
  const patient = await startApi(bed, { database: api.database, manualActionTimeoutMs: 1_000 });
  try {
    await api.withWorker(async () => {
      bed.sim.faults.add({ provider: 'hetzner', status: 401, times: 1, body: { error: { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized' } } });
      const tested = await api.call('POST', `/v1/workspaces/flow/integrations/${ids.hetzner}/test`, { token: adminKey.key });
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: false, summary: expect.stringContaining('401') });

      // A refusal retrying cannot help (a Robot 401 is retried: Robot says the same for a locked-out address).
      bed.sim.faults.add({ provider: 'hetzner', status: 404, times: 1, body: { error: { status: 404, code: 'SERVER_NOT_FOUND', message: 'server not found' } } });
      const refused = await api.call('POST', `/v1/workspaces/flow/integrations/${ids.hetzner}/activate`, { token: adminKey.key });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'provider_failed', details: [{ id: ids.hetzner, actual: 'failed' }] });

      bed.sim.faults.add({ provider: 'ovh', method: 'GET', delayMs: 3_000, times: 1 });
      const silent = await patient.call('POST', `/v1/workspaces/flow/integrations/${ids.ovh}/test`, { token: adminKey.key });
      expect(silent).toMatchObject({ status: 200, body: { ok: false, summary: 'the provider did not answer within 1 s' } });

      bed.sim.faults.add({ provider: 'ovh', method: 'PUT', delayMs: 3_000, times: 1 });
      const slow = await patient.call('POST', `/v1/workspaces/flow/integrations/${ids.ovh}/activate`, { token: adminKey.key });
      expect(slow).toMatchObject({ status: 202, body: { status: 'pending', workflowId: 'scrubbing-flow' } });
      await eventually(scrubbing, (v) => isActive(v, ids.ovh!), { what: 'the pending activate finished' });
      expect(bed.sim.ovh.firewall(`${ovh.ip}/32`, ovh.ip)?.enabled).toBe(true);
    });
    // No worker now: the action is sent but not confirmed in time, a 202 that says so (not a 5xx).
    const unconfirmed = await patient.call('POST', `/v1/workspaces/flow/integrations/${ids.ovh}/withdraw`, { token: adminKey.key });
    expect(unconfirmed).toMatchObject({ status: 202, body: { status: 'pending', message: expect.stringContaining('has not confirmed it yet') } });
  } finally {
    api.responses.push(...patient.responses);
    await patient.close();
  }
});

// Last, after every request of the file: the secret scan over all answers and all workflow histories.
test('no credential appears in any API response or workflow history', async () => {
  const histories = await everyHistoryText(bed.env.client);
  expect(histories.length).toBeGreaterThanOrEqual(3); // the workspace workflow and the two Tests
  const everything = [...api.responses, ...histories].join('\n');
  expect(SECRETS.filter((secret) => everything.includes(secret))).toEqual([]);
});
