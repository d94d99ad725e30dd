/**
 * Who may call what, over HTTP against the real API, MongoDB-protocol storage and Temporal:
 * every route for every role, a key of another workspace, revoked and malformed keys;
 * validation errors that name the field; rate limits; 503 while MongoDB is away.
 */
import { randomBytes } from 'node:crypto';
import { workspaceRepository } from '../../store/workspaces';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { useBed } from '../support/bed';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { workspaceWorkflowId } from '../../workflows/messages';

const bed = useBed();
let api: ApiBed;
const keys: Record<string, string> = {};
let integrationId = '';
let channelId = '';
const hex = () => randomBytes(16).toString('hex');
const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-token-${hex()}` };

beforeAll(async () => {
  api = await startApi(bed);
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  for (const ws of ['acme', 'other']) {
    const created = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws, name: ws.toUpperCase(), holdDownSeconds: 0 } });
    expect(created.status).toBe(201);
    keys[`${ws}:owner`] = created.body.ownerKey.key;
  }
  for (const role of ['admin', 'detector', 'viewer']) {
    const created = await api.call('POST', '/v1/workspaces/acme/api-keys', { token: keys['acme:owner'], body: { name: role, role } });
    keys[`acme:${role}`] = created.body.key;
  }
  const revoked = await api.call('POST', '/v1/workspaces/acme/api-keys', { token: keys['acme:owner'], body: { name: 'old', role: 'owner' } });
  await api.call('DELETE', `/v1/workspaces/acme/api-keys/${revoked.body.id}`, { token: keys['acme:owner'] });
  keys.revoked = revoked.body.key;
  const integration = await api.call('POST', '/v1/workspaces/acme/integrations', {
    token: keys['acme:owner'],
    body: {
      type: 'cloudflare',
      name: 'Magic Transit',
      autoDivert: false,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId },
      credentials: { apiToken: cf.token },
    },
  });
  expect(integration.status).toBe(201);
  integrationId = integration.body.id;
  const channel = await api.call('POST', '/v1/workspaces/acme/notification-channels', {
    token: keys['acme:owner'],
    body: { type: 'pagerduty', name: 'on call', settings: { triggerOn: 'diversion' }, secrets: { routingKey: 'R0123456789abcdef' } },
  });
  expect(channel.status).toBe(201);
  channelId = channel.body.id;
});
afterAll(async () => {
  const leaked = [cf.token].filter((secret) => api.responses.some((r) => r.includes(secret)));
  expect(leaked).toEqual([]);
  await api?.close();
});

/** A refusal as status, error code and the fields it names. */
const refusal = (answer: { status: number; body: { error: { code: string; details: { field: string }[] } } }) => ({
  status: answer.status,
  code: answer.body.error?.code,
  fields: answer.body.error?.details.map((d) => d.field),
});

const OWNER = ['owner'];
const WRITERS = ['owner', 'admin'];
const REPORTERS = ['owner', 'admin', 'detector'];
const ANYONE = ['owner', 'admin', 'detector', 'viewer'];
// The table, written out independently of the implementation's rights table.
const routes: [string, string, unknown, string[]][] = [
  ['GET', '/v1/workspaces/acme', undefined, ANYONE],
  ['PATCH', '/v1/workspaces/acme', { name: 'Acme' }, WRITERS],
  ['POST', '/v1/workspaces/acme/api-keys', { name: 'k', role: 'viewer' }, OWNER],
  ['GET', '/v1/workspaces/acme/api-keys', undefined, OWNER],
  ['DELETE', '/v1/workspaces/acme/api-keys/key_does-not-exist', undefined, OWNER],
  ['POST', '/v1/workspaces/acme/integrations', { type: 'hetzner', name: 'hz', settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }, WRITERS],
  ['GET', '/v1/workspaces/acme/integrations', undefined, ANYONE],
  ['GET', '/v1/workspaces/acme/integrations/:int', undefined, ANYONE],
  ['PATCH', '/v1/workspaces/acme/integrations/:int', { name: 'Renamed' }, WRITERS],
  ['POST', '/v1/workspaces/acme/integrations/:int/test', undefined, WRITERS],
  ['POST', '/v1/workspaces/acme/integrations/:int/activate', {}, WRITERS],
  ['POST', '/v1/workspaces/acme/integrations/:int/withdraw', {}, WRITERS],
  ['POST', '/v1/workspaces/acme/incidents', { id: 'matrix-1' }, REPORTERS],
  ['POST', '/v1/workspaces/acme/incidents/matrix-1/resolve', {}, REPORTERS],
  ['GET', '/v1/workspaces/acme/scrubbing', undefined, ANYONE],
  ['GET', '/v1/workspaces/acme/events', undefined, ANYONE],
  ['POST', '/v1/workspaces/acme/notification-channels', { type: 'slack', name: 's', secrets: { webhookUrl: 'http://127.0.0.1:9/hook' } }, WRITERS],
  ['GET', '/v1/workspaces/acme/notification-channels', undefined, WRITERS],
  ['GET', '/v1/workspaces/acme/notification-channels/:ch', undefined, WRITERS],
  ['PATCH', '/v1/workspaces/acme/notification-channels/:ch', { events: ['operation_failed'] }, WRITERS],
  ['DELETE', '/v1/workspaces/acme/notification-channels/ch_does-not-exist', undefined, WRITERS],
];

test('every route answers each role, another workspace, revoked and malformed keys as the rights table says', async () => {
  await api.withWorker(async () => {
    const failures: string[] = [];
    for (const [method, template, body, allowed] of routes) {
      const path = template.replace(':int', integrationId).replace(':ch', channelId);
      for (const role of ANYONE) {
        const answer = await api.call(method, path, { token: keys[`acme:${role}`]!, body });
        const ok = allowed.includes(role) ? answer.status < 400 || (answer.status === 404 && method === 'DELETE') : answer.status === 403;
        if (!ok) failures.push(`${role} ${method} ${template}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      const foreign = await api.call(method, path, { token: keys['other:owner']!, body });
      if (foreign.status !== 404 || foreign.body.error.message !== 'workspace not found') failures.push(`other workspace ${method} ${template}: ${foreign.status}`);
      for (const token of [keys.revoked!, 'so_000000000000_' + 'A'.repeat(43), 'garbage', ADMIN_TOKEN.slice(0, -1)]) {
        const denied = await api.call(method, path, { token, body });
        if (denied.status !== 401) failures.push(`bad token ${method} ${template}: ${denied.status}`);
      }
      const none = await api.call(method, path, { body });
      if (none.status !== 401) failures.push(`no token ${method} ${template}: ${none.status}`);
    }
    expect(failures).toEqual([]);
  });
});

test('only the server admin token creates workspaces; ids are unique', async () => {
  expect((await api.call('POST', '/v1/workspaces', { token: keys['acme:owner'], body: { id: 'x', name: 'x' } })).status).toBe(403);
  const duplicate = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'acme', name: 'again' } });
  expect(duplicate.status).toBe(409);
  expect((await api.call('GET', '/v1/workspaces/acme', { token: ADMIN_TOKEN })).status).toBe(404);
});

test.each([
  ['a missing type', { name: 'x' }, 'body.type'],
  ['an unknown type', { type: 'akamai', name: 'x' }, 'body.type'],
  ['a bad Cloudflare account id', { type: 'cloudflare', name: 'x', settings: { accountId: 'nope', prefixId: 'a' }, credentials: { apiToken: 't' } }, 'body.settings.accountId'],
  [
    'a missing OVH consumer key',
    { type: 'ovh', name: 'x', settings: { endpoint: 'ovh-eu', ip: '203.0.113.7' }, credentials: { applicationKey: 'a', applicationSecret: 'b' } },
    'body.credentials.consumerKey',
  ],
  [
    'an IPv6 OVH ip',
    { type: 'ovh', name: 'x', settings: { endpoint: 'ovh-eu', ip: '2001:db8::1' }, credentials: { applicationKey: 'a', applicationSecret: 'b', consumerKey: 'c' } },
    'body.settings.ip',
  ],
  [
    'an unknown OVH endpoint',
    { type: 'ovh', name: 'x', settings: { endpoint: 'ovh-mars', ip: '203.0.113.7' }, credentials: { applicationKey: 'a', applicationSecret: 'b', consumerKey: 'c' } },
    'body.settings.endpoint',
  ],
  ['a Hetzner server number as text', { type: 'hetzner', name: 'x', settings: { serverNumber: '12' }, credentials: { username: 'u', password: 'p' } }, 'body.settings.serverNumber'],
  ['an invalid CIDR scope', { type: 'hetzner', name: 'x', scope: ['10.0.0.0/33'], settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }, 'body.scope'],
  ['a per-integration base URL', { type: 'hetzner', name: 'x', settings: { serverNumber: 1, baseUrl: 'https://evil.example' }, credentials: { username: 'u', password: 'p' } }, 'body.settings'],
  ['a negative minimum on-time', { type: 'hetzner', name: 'x', minActiveSeconds: -1, settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }, 'body.minActiveSeconds'],
  ['an unknown drift action', { type: 'hetzner', name: 'x', onDrift: 'ignore', settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }, 'body.onDrift'],
  ['a dry run that is not a boolean', { type: 'hetzner', name: 'x', dryRun: 'yes', settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }, 'body.dryRun'],
])('creating an integration with %s is a 400 naming the field', async (_what, body, field) => {
  const answer = await api.call('POST', '/v1/workspaces/acme/integrations', { token: keys['acme:admin'], body });
  expect(answer.status).toBe(400);
  expect(answer.body.error.details.map((d: { field: string }) => d.field).some((f: string) => f.startsWith(field))).toBe(true);
});

test('PATCH validates settings against the integration type and names the field', async () => {
  const answer = await api.call('PATCH', `/v1/workspaces/acme/integrations/${integrationId}`, { token: keys['acme:admin'], body: { settings: { accountId: 'zz' } } });
  expect(answer.status).toBe(400);
  expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain('body.settings.accountId');
});

test('provider policy: workspace knobs and integration windows are set, shown in effect, reset with null, and validated', async () => {
  const token = keys['acme:admin'];
  const shown = await api.call('GET', '/v1/workspaces/acme', { token });
  expect(shown.body.policy).toEqual({ reconcileActiveSeconds: 60, reconcileIdleSeconds: 1800, flapWindowSeconds: 3600, maxHoldDownSeconds: 3600 });
  const set = await api.call('PATCH', '/v1/workspaces/acme', { token, body: { policy: { reconcileActiveSeconds: 30, maxHoldDownSeconds: 0 } } });
  expect(set.body.policy).toEqual({ reconcileActiveSeconds: 30, reconcileIdleSeconds: 1800, flapWindowSeconds: 3600, maxHoldDownSeconds: 0 });
  const reset = await api.call('PATCH', '/v1/workspaces/acme', { token, body: { policy: { reconcileActiveSeconds: null } } });
  expect(reset.body.policy).toMatchObject({ reconcileActiveSeconds: 60, maxHoldDownSeconds: 0 });
  const tooOften = await api.call('PATCH', '/v1/workspaces/acme', { token, body: { policy: { reconcileActiveSeconds: 5 } } });
  expect(tooOften.status).toBe(400);
  expect(tooOften.body.error.details.map((d: { field: string }) => d.field)).toContain('body.policy.reconcileActiveSeconds');
  const unknown = await api.call('PATCH', '/v1/workspaces/acme', { token, body: { policy: { reconcileEverySeconds: 60 } } });
  expect(unknown.status).toBe(400);

  const created = await api.call('POST', '/v1/workspaces/acme/integrations', {
    token,
    body: {
      type: 'cloudflare',
      name: 'drill',
      dryRun: true,
      onDrift: 'report',
      reactivateAfterSeconds: 1200,
      settings: { accountId: 'a'.repeat(32), prefixId: 'b'.repeat(32) },
      credentials: { apiToken: 'drill-token' },
    },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    dryRun: true,
    onDrift: 'report',
    minActiveSeconds: null,
    reactivateAfterSeconds: 1200,
    timing: { minActiveSeconds: 900, reactivateAfterSeconds: 1200, why: 'set on the integration' },
  });
  const cleared = await api.call('PATCH', `/v1/workspaces/acme/integrations/${created.body.id}`, { token, body: { dryRun: false, reactivateAfterSeconds: null } });
  expect(cleared.body).toMatchObject({ dryRun: false, reactivateAfterSeconds: null, timing: { reactivateAfterSeconds: 900, why: expect.stringContaining('Cloudflare') } });
  // What the workflow will get: only the values that differ from the defaults.
  const snapshot = await workspaceRepository(api.database.models).configSnapshot('acme');
  expect(snapshot?.policy).toEqual({ maxHoldDownSeconds: 0 });
  expect(snapshot?.integrations.find((i) => i.id === created.body.id)).toEqual({ id: created.body.id, type: 'cloudflare', name: 'drill', autoDivert: true, scope: 'workspace', onDrift: 'report' });
  await api.call('DELETE', `/v1/workspaces/acme/integrations/${created.body.id}`, { token });
  await api.call('PATCH', '/v1/workspaces/acme', { token, body: { policy: { maxHoldDownSeconds: null } } });
});

test('malformed requests get clear 4xx answers', async () => {
  const token = keys['acme:detector']!;
  expect((await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: '{"id":' })).body.error.code).toBe('invalid_json');
  expect((await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: 'id=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  expect((await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: { id: 'x', source: 'y'.repeat(100_000) } })).status).toBe(413);
  const target = await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: { id: 'x', target: '192.0.2.256' } });
  expect(target.body.error.details[0].field).toBe('body.target');
  const events = await api.call('GET', '/v1/workspaces/acme/events?limit=0', { token });
  expect(events.body.error.details[0].field).toBe('query.limit');
  expect((await api.call('GET', '/v1/nothing', { token })).status).toBe(404);
  const wrongMethod = await api.call('PUT', '/v1/workspaces/acme/scrubbing', { token, body: {} });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get('allow')).toBe('GET');
});

test('hostile bodies get a clear 4xx naming the field, and the API keeps serving', async () => {
  const token = keys['acme:admin']!;
  // 20,000 levels of nesting fit in the 64 KB limit; the answer is a 400, not a crash.
  const deep = `{"id":"deep","source":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  const nested = await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: deep });
  expect(nested.status).toBe(400);
  expect(nested.body.error.details[0].field).toBe('body.source');
  const deepSettings = await api.call('PATCH', `/v1/workspaces/acme/integrations/${integrationId}`, {
    token,
    body: `{"settings":{"accountId":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`,
  });
  expect(deepSettings.status).toBe(400);
  expect(deepSettings.body.error.details[0].field).toBe('body.settings.accountId');
  // Unicode names round-trip exactly; control characters are refused with the field named.
  const unicode = 'Ünïcødé 攻撃 🚀 \u202eRTL\u202c عربي';
  const renamed = await api.call('PATCH', `/v1/workspaces/acme/integrations/${integrationId}`, { token, body: { name: unicode } });
  expect(renamed).toMatchObject({ status: 200, body: { name: unicode } });
  expect((await api.call('GET', `/v1/workspaces/acme/integrations/${integrationId}`, { token })).body.name).toBe(unicode);
  for (const bad of ['line\nbreak', 'nul\u0000', 'esc\u001b[31m', '   ']) {
    const refused = await api.call('PATCH', '/v1/workspaces/acme', { token, body: { name: bad } });
    expect({ bad, status: refused.status, field: refused.body.error?.details?.[0]?.field }).toEqual({ bad, status: 400, field: 'body.name' });
  }
  expect((await api.call('GET', '/v1/workspaces/acme', { token })).status).toBe(200);
});

test('CIDR and IP edge cases: IPv6, /0 and host routes are accepted, malformed ones refused with the field named', async () => {
  const token = keys['acme:admin']!;
  const path = `/v1/workspaces/acme/integrations/${integrationId}`;
  for (const scope of [['0.0.0.0/0'], ['::/0'], ['2001:db8::/32', '192.0.2.0/24'], ['192.0.2.7'], ['2001:db8::1/128'], ['FE80::1/10']]) {
    const accepted = await api.call('PATCH', path, { token, body: { scope } });
    expect({ scope, status: accepted.status, stored: accepted.body.scope }).toEqual({ scope, status: 200, stored: scope });
  }
  const invalid = ['192.0.2.0/33', '256.1.1.1/8', '1.2.3.04', '1.2.3', '2001:db8::/129', '2001:db8:::1', '::ffff:192.0.2.1', '192.0.2.0/', '192.0.2.0/024', ' 192.0.2.0/24', ''];
  for (const entry of invalid) {
    const refused = await api.call('PATCH', path, { token, body: { scope: ['192.0.2.0/24', entry] } });
    expect({ entry, status: refused.status, field: refused.body.error?.details?.[0]?.field }).toEqual({ entry, status: 400, field: 'body.scope.1' });
  }
  for (const target of ['2001:db8::1', '::', '0.0.0.0', '255.255.255.255']) {
    const reported = await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: { id: `edge-${target.replace(/\W/g, '')}`, target } });
    expect({ target, status: reported.status }).toEqual({ target, status: 202 });
  }
  for (const target of ['1.2.3.256', '1.2.3', '2001:db8::g', '192.0.2.0/24', 'localhost']) {
    const refused = await api.call('POST', '/v1/workspaces/acme/incidents', { token, body: { id: 'edge-bad', target } });
    expect({ target, status: refused.status, field: refused.body.error?.details?.[0]?.field }).toEqual({ target, status: 400, field: 'body.target' });
  }
});

test('a key over its rate limit gets 429 with Retry-After', async () => {
  const limited = await startApi(bed, { requestsPerMinute: 3, database: api.database });
  try {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const answer = await limited.call('GET', '/v1/workspaces/acme', { token: keys['acme:viewer'] });
      statuses.push(answer.status);
      retryAfter ??= answer.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  } finally {
    await limited.close();
  }
});

test('failed authentications are rate limited per source address; valid keys from elsewhere are not affected', async () => {
  const limited = await startApi(bed, { authFailuresPerMinute: 3, database: api.database });
  try {
    const statuses: number[] = [];
    for (const token of ['garbage', 'so_000000000000_' + 'A'.repeat(43), null, 'garbage', 'garbage']) {
      statuses.push((await limited.call('GET', '/v1/workspaces/acme', { token })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // From this address even a valid key waits until the bucket refills (a guessing client cannot tell a hit).
    const blocked = await limited.call('GET', '/v1/workspaces/acme', { token: keys['acme:viewer'] });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another source address is not affected.
    const { request } = await import('node:http');
    const other = await new Promise<number | undefined>((resolve, reject) => {
      request(`${limited.url}/v1/workspaces/acme`, { localAddress: '127.0.0.2', headers: { authorization: `Bearer ${keys['acme:viewer']}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(other).toBe(200);
  } finally {
    await limited.close();
  }
});

test('while MongoDB is unreachable the API answers 503, and readiness says why', async () => {
  const database = await openTestDatabase();
  const broken = await startApi(bed, { database });
  await database.connection.close();
  try {
    const answer = await broken.call('GET', '/v1/workspaces/acme', { token: keys['acme:viewer'] });
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('database_unavailable');
    const ready = await broken.call('GET', '/readyz');
    expect(ready).toMatchObject({ status: 503, body: { mongodb: 'unavailable', temporal: 'ok' } });
  } finally {
    await broken.close();
  }
});

test('the OpenAPI document lists every route', async () => {
  const doc = await api.call('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  const paths = Object.keys(doc.body.paths);
  for (const [, template] of routes) {
    const openApiPath = template
      .replace('/acme', '/{ws}')
      .replace(':int', '{id}')
      .replace('key_does-not-exist', '{keyId}')
      .replace('matrix-1', '{id}')
      .replace(':ch', '{id}')
      .replace('ch_does-not-exist', '{id}');
    expect(paths).toContain(openApiPath);
  }
  expect((await api.call('GET', '/docs')).status).toBe(200);
});

test('while Temporal is unreachable, incident reports are kept (202 queued) and another API process delivers them; other routes that need Temporal answer 503', async () => {
  const { Client, Connection } = await import('@temporalio/client');
  const { buildApi } = await import('../../api/build');
  const { CredentialCipher } = await import('../../store/crypto');
  // A port nothing listens on: every Temporal call fails as unavailable.
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  const app = buildApi({
    client: new Client({ connection }),
    connection,
    database: api.database,
    cipher: CredentialCipher.fromSpec(CredentialCipher.generateSpec()),
    taskQueue: 'unused',
    adminToken: ADMIN_TOKEN,
    manualActionTimeoutMs: 2_000,
    callTimeoutMs: 2_000,
    requestsPerMinute: 1_000,
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const incident = await fetch(`${url}/v1/workspaces/acme/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys['acme:detector']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'while-temporal-is-down' }),
    });
    expect(incident.status).toBe(202);
    expect(await incident.json()).toMatchObject({ incidentId: 'while-temporal-is-down', delivery: 'queued', queuedReports: 1 });
    const state = await fetch(`${url}/v1/workspaces/acme/scrubbing`, { headers: { authorization: `Bearer ${keys['acme:viewer']}` } });
    expect(state.status).toBe(503);
    expect(((await state.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
    // Routes that only need MongoDB keep working.
    const read = await fetch(`${url}/v1/workspaces/acme`, { headers: { authorization: `Bearer ${keys['acme:viewer']}` } });
    expect(read.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ temporal: 'unavailable', mongodb: 'ok' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.settle(); // the report stays stored
    await connection.close();
  }
  // The test's own API (Temporal reachable) finds the report its peer kept and delivers it.
  await api.withWorker(async () => {
    const delivered = await eventually(
      () => api.call('GET', '/v1/workspaces/acme/scrubbing', { token: keys['acme:viewer'] }),
      (a) => a.status === 200 && a.body.activeIncidents.some((i: { incidentId: string }) => i.incidentId === 'while-temporal-is-down'),
      { what: 'the kept report delivered', timeoutMs: 30_000 },
    );
    expect(delivered.body.intake).toEqual({ queuedReports: 0, oldestQueuedAt: null });
    expect((await api.call('POST', '/v1/workspaces/acme/incidents/while-temporal-is-down/resolve', { token: keys['acme:detector'], body: {} })).body.delivery).toBe('delivered');
  });
});

describe('workspace limits', () => {
  let capped: ApiBed;
  let owner = '';
  const hetzner = (scope?: string[]) => ({ type: 'hetzner', name: 'hz', ...(scope ? { scope } : {}), settings: { serverNumber: 7 }, credentials: { username: 'u', password: 'p' } });

  beforeAll(async () => {
    capped = await startApi(bed, { database: api.database, limits: { integrations: 2, scopeEntries: 3, channels: 1, apiKeys: 3 } });
    const created = await capped.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'capped', name: 'Capped', holdDownSeconds: 0 } });
    expect(created.status).toBe(201);
    owner = created.body.ownerKey.key;
  });
  afterAll(() => capped?.close());

  test('API keys: at the cap of active keys a create is a 422 limit_reached; revoking one makes room', async () => {
    const create = () => capped.call('POST', '/v1/workspaces/capped/api-keys', { token: owner, body: { name: 'k', role: 'viewer' } });
    const first = await create();
    expect((await create()).status).toBe(201); // owner + 2 = 3 active
    expect(refusal(await create())).toEqual({ status: 422, code: 'limit_reached', fields: ['body'] });
    expect((await capped.call('DELETE', `/v1/workspaces/capped/api-keys/${first.body.id}`, { token: owner })).status).toBe(204);
    expect((await create()).status).toBe(201);
  });

  test('integrations: a cap on records and on scope entries summed over the workspace, on create and on PATCH', async () => {
    const path = '/v1/workspaces/capped/integrations';
    const a = await capped.call('POST', path, { token: owner, body: hetzner(['198.51.100.0/26', '198.51.100.64/26']) });
    expect(a.status).toBe(201);
    // 2 + 2 scope entries > 3
    expect(refusal(await capped.call('POST', path, { token: owner, body: hetzner(['203.0.113.0/25', '203.0.113.128/25']) }))).toEqual({ status: 422, code: 'limit_reached', fields: ['body.scope'] });
    const b = await capped.call('POST', path, { token: owner, body: hetzner(['203.0.113.0/24']) });
    expect(b.status).toBe(201);
    expect(refusal(await capped.call('PATCH', `${path}/${b.body.id}`, { token: owner, body: { scope: ['203.0.113.0/25', '203.0.113.128/25'] } }))).toEqual({
      status: 422,
      code: 'limit_reached',
      fields: ['body.scope'],
    });
    // Replacing an integration's own scope counts it once.
    expect((await capped.call('PATCH', `${path}/${b.body.id}`, { token: owner, body: { scope: ['203.0.113.0/25'] } })).status).toBe(200);
    expect(refusal(await capped.call('POST', path, { token: owner, body: hetzner() }))).toEqual({ status: 422, code: 'limit_reached', fields: ['body'] });
    // The workspace's workflow runs (its first integration started it): the deleted one counts until the workflow let it go.
    expect((await capped.call('DELETE', `${path}/${a.body.id}`, { token: owner })).status).toBe(202);
    await capped.withWorker(() =>
      eventually(
        () => capped.call('POST', path, { token: owner, body: hetzner() }),
        (answer) => answer.status === 201,
        { what: 'a place freed once the workflow removed the deleted integration' },
      ),
    );
  });

  test('racing creates never leave more than the cap', async () => {
    const path = '/v1/workspaces/capped/notification-channels';
    const body = { type: 'pagerduty', name: 'pd', settings: { triggerOn: 'diversion' }, secrets: { routingKey: 'R0123456789abcdef' } };
    const answers = await Promise.all(Array.from({ length: 6 }, () => capped.call('POST', path, { token: owner, body })));
    expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(1);
    expect(answers.every((a) => a.status === 201 || refusal(a).code === 'limit_reached')).toBe(true);
    const listed = await capped.call('GET', path, { token: owner });
    expect(listed.body.length).toBeLessThanOrEqual(1);
    if (listed.body.length === 0) expect((await capped.call('POST', path, { token: owner, body })).status).toBe(201);
    expect(refusal(await capped.call('POST', path, { token: owner, body }))).toEqual({ status: 422, code: 'limit_reached', fields: ['body'] });
  });

  test('every refusal is in the audit trail', async () => {
    const events = await capped.call('GET', '/v1/workspaces/capped/events?limit=200', { token: owner });
    const refusals = events.body.events.filter((e: { action: string }) => e.action === 'limit.reached');
    expect(refusals.length).toBeGreaterThanOrEqual(5);
    expect(refusals.every((e: { outcome: string; detail: string }) => e.outcome === 'failed' && /limit/.test(e.detail))).toBe(true);
  });
});

describe('outbound destinations', () => {
  let strict: ApiBed;
  let owner = '';
  beforeAll(async () => {
    const { outboundPolicyFromEnv } = await import('../../activities/outbound/destination');
    strict = await startApi(bed, { database: api.database, outbound: outboundPolicyFromEnv({}) });
    const created = await strict.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'outbound', name: 'Outbound' } });
    owner = created.body.ownerKey.key;
  });
  afterAll(() => strict?.close());
  const path = '/v1/workspaces/outbound/notification-channels';
  const webhook = (url: string) => ({ type: 'webhook', name: 'w', settings: { url }, secrets: { signingSecret: 'a-signing-secret-of-16+' } });

  test.each(['https://169.254.169.254/latest', 'https://127.0.0.1:9464/metrics', 'https://2130706433/x', 'https://localhost/x', 'http://example.com/x', 'https://10.0.0.1/x'])(
    'a webhook to %s is a 422 destination_refused naming the field',
    async (url) => {
      expect(refusal(await strict.call('POST', path, { token: owner, body: webhook(url) }))).toEqual({ status: 422, code: 'destination_refused', fields: ['body.settings.url'] });
    },
  );

  test('Slack only on hooks.slack.com; a PATCH is checked too', async () => {
    const slack = { type: 'slack', name: 's', secrets: { webhookUrl: 'https://example.com/services/x' } };
    expect(refusal(await strict.call('POST', path, { token: owner, body: slack }))).toEqual({ status: 422, code: 'destination_refused', fields: ['body.secrets.webhookUrl'] });
    const ok = await strict.call('POST', path, { token: owner, body: webhook('https://receiver.example.com/hook') });
    expect(ok.status).toBe(201);
    const patched = await strict.call('PATCH', `${path}/${ok.body.id}`, { token: owner, body: { settings: { url: 'https://192.168.0.10/hook' } } });
    expect(refusal(patched)).toEqual({ status: 422, code: 'destination_refused', fields: ['body.settings.url'] });
  });
});

test("a workspace at every limit stays far below Temporal's payload and history limits", async () => {
  const ws = 'full';
  const created = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws, name: 'x'.repeat(200), holdDownSeconds: 0 } });
  const owner = created.body.ownerKey.key as string;
  // 50 integrations with 200-character names and 20 full-length IPv6 host routes each (1,000 scope entries), 10 channels, 50 keys.
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  for (let i = 0; i < 50; i++) {
    const scope = Array.from({ length: 20 }, (_, j) => `2001:0db8:ffff:ffff:ffff:ffff:${hex(i)}:${hex(j)}/128`);
    const answer = await api.call('POST', `/v1/workspaces/${ws}/integrations`, {
      token: owner,
      body: { type: 'hetzner', name: `${i}`.padEnd(200, 'n'), scope, settings: { serverNumber: 1000 + i }, credentials: { username: 'u', password: 'p' } },
    });
    expect(answer.status).toBe(201);
  }
  for (let i = 0; i < 10; i++) {
    const answer = await api.call('POST', `/v1/workspaces/${ws}/notification-channels`, {
      token: owner,
      body: { type: 'pagerduty', name: `${i}`.padEnd(200, 'c'), settings: { triggerOn: 'failure' }, secrets: { routingKey: 'R0123456789abcdef' } },
    });
    expect(answer.status).toBe(201);
  }
  for (let i = 1; i < 50; i++) expect((await api.call('POST', `/v1/workspaces/${ws}/api-keys`, { token: owner, body: { name: `k${i}`, role: 'viewer' } })).status).toBe(201);
  for (const [path, body] of [
    ['integrations', { type: 'hetzner', name: 'one more', settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } }],
    ['notification-channels', { type: 'pagerduty', name: 'one more', secrets: { routingKey: 'R0123456789abcdef' } }],
    ['api-keys', { name: 'one more', role: 'viewer' }],
  ] as const) {
    expect((await api.call('POST', `/v1/workspaces/${ws}/${path}`, { token: owner, body })).body.error?.code).toBe('limit_reached');
  }

  const snapshot = JSON.stringify(await workspaceRepository(api.database.models).configSnapshot(ws));
  // The first read of the configuration carries the whole snapshot: Temporal refuses payloads over 2 MB.
  expect(snapshot.length).toBeLessThan(200_000);
  const handle = bed.env.client.workflow.getHandle(workspaceWorkflowId(ws));
  const historySize = async () => Number((await handle.describe()).raw.workflowExecutionInfo?.historySizeBytes ?? 0);
  await api.withWorker(async () => {
    expect((await api.call('POST', `/v1/workspaces/${ws}/incidents`, { token: owner, body: { id: 'full-1', target: '2001:db8:ffff:ffff:ffff:ffff:0:1' } })).status).toBe(202);
    await eventually(
      () => api.call('GET', `/v1/workspaces/${ws}/scrubbing`, { token: owner }),
      (a) => a.body.integrations?.length === 50,
      { what: 'the configuration read' },
    );
    const before = await historySize();
    // Ten configuration changes: each a `configPublished` signal with the version, and a read that
    // brings back only the integration that changed.
    const list = (await api.call('GET', `/v1/workspaces/${ws}/integrations`, { token: owner })).body as { id: string }[];
    for (const { id } of list.slice(0, 10)) expect((await api.call('PATCH', `/v1/workspaces/${ws}/integrations/${id}`, { token: owner, body: { autoDivert: false } })).status).toBe(200);
    const state = await eventually(
      () => api.call('GET', `/v1/workspaces/${ws}/scrubbing`, { token: owner }),
      (answer) => answer.status === 200 && answer.body.integrations.filter((i: { autoDivert: boolean }) => !i.autoDivert).length === 10,
      { what: 'the ten changes applied' },
    );
    const historyBytes = await historySize();
    const perChange = (historyBytes - before) / 10;
    // No message carries the snapshot: configuration signals carry a version, incident reports none.
    const history = await handle.fetchHistory();
    const signals = (history.events ?? []).flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : []));
    const configSignals = signals.filter((s) => s.signalName === 'configPublished');
    expect(configSignals.length).toBeGreaterThanOrEqual(10);
    for (const signal of signals) expect(signal.input?.payloads?.[0]?.data?.length ?? 0).toBeLessThan(1_000);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data?.length ?? 0;
    process.stdout.write(
      `workspace at every limit: snapshot ${snapshot.length} bytes, state view ${JSON.stringify(state.body).length} bytes, history ${historyBytes} bytes after 50 creations, an incident and 10 configuration changes (${Math.round(perChange)} bytes per change), run input ${started} bytes\n`,
    );
    expect(JSON.stringify(state.body).length).toBeLessThan(400_000);
    // Temporal suggests continue-as-new at 4 MB of history and terminates a run at 50 MB. Before
    // configuration was read by version, every change was a signal with the whole snapshot (2.8 MB
    // here); now a change costs its delta.
    expect(perChange).toBeLessThan(15_000);
    expect(historyBytes).toBeLessThan(snapshot.length * 2 + 15_000 * 10 + 100_000);
  });
});
