/**
 * The histories the console reads, over HTTP. The incident history (GET …/incidents): the
 * record the API writes for every report, with no worker running, newest first, `since`,
 * `limit` and a cursor that pages through incidents received in the same millisecond, a week
 * back at most; any role; 404 for another workspace; 400s naming the query field. The audit
 * trail's filters (action exact or `prefix*`, integration, actor, outcome), paged by the API.
 */
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { useBed } from '../support/bed';
import { auditRepository } from '../../store/audit';
import { incidentRepository } from '../../store/incidents';

const bed = useBed();
const H = 3_600_000;
let api: ApiBed;
const keys: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi(bed);
  for (const ws of ['hist', 'hist-page', 'hist-audit', 'hist-other']) {
    const created = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws, name: ws } });
    expect(created.status).toBe(201);
    keys[`${ws}:owner`] = created.body.ownerKey.key;
  }
  for (const role of ['admin', 'detector', 'viewer']) {
    const key = await api.call('POST', '/v1/workspaces/hist/api-keys', { token: keys['hist:owner'], body: { name: role, role } });
    keys[`hist:${role}`] = key.body.key;
  }
});
afterAll(() => api?.close());

interface Item {
  id: string;
  startedAt: string;
  resolvedAt: string | null;
}
const history = (ws: string, query = '', token = keys[`${ws}:owner`]) => api.call('GET', `/v1/workspaces/${ws}/incidents${query ? `?${query}` : ''}`, { token });

/** Every page of `query` with `limit`, newest first: the ids page by page. */
async function pagesOf<B = { incidents: Item[] }>(
  ws: string,
  query: string,
  limit: number,
  path = 'incidents',
  itemsOf = (body: B) => (body as { incidents: Item[] }).incidents.map((i) => i.id),
): Promise<string[][]> {
  const pages: string[][] = [];
  for (let before: string | null = null; ;) {
    const answer = await api.call('GET', `/v1/workspaces/${ws}/${path}?${query}&limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`, { token: keys[`${ws}:owner`] });
    expect(answer.status).toBe(200);
    pages.push(itemsOf(answer.body));
    before = answer.body.next;
    if (!before) return pages;
    if (pages.length > 50) throw new Error('the cursor does not advance');
  }
}

test('reported incidents are listed newest first with what the detector reported; a resolve sets resolvedAt (no worker running)', async () => {
  const token = keys['hist:detector'];
  const before = Date.now();
  const reported = { id: 'inc-a', target: '192.0.2.10', severity: 'high', source: 'fastnetmon', peakBps: 12_000_000_000, peakPps: 3_000_000, startedAt: '2026-01-05T10:00:00+01:00' };
  expect((await api.call('POST', '/v1/workspaces/hist/incidents', { token, body: reported })).status).toBe(202);
  expect((await api.call('POST', '/v1/workspaces/hist/incidents', { token, body: { id: 'inc-b' } })).status).toBe(202);
  expect((await api.call('POST', '/v1/workspaces/hist/incidents/inc-a/resolve', { token, body: {} })).status).toBe(202);
  // A resolve whose start never came: received and resolved at once.
  expect((await api.call('POST', '/v1/workspaces/hist/incidents/inc-c/resolve', { token, body: {} })).status).toBe(202);
  const after = Date.now();

  const answer = await history('hist', '', keys['hist:viewer']);
  expect(answer.status).toBe(200);
  expect(answer.body.next).toBeNull();
  expect(Math.abs(Date.parse(answer.body.since) - (after - 24 * H))).toBeLessThan(60_000);
  const [c, b, a] = answer.body.incidents as (Item & Record<string, unknown>)[];
  expect(answer.body.incidents.map((i: Item) => i.id)).toEqual(['inc-c', 'inc-b', 'inc-a']);
  expect(a).toEqual({
    id: 'inc-a',
    target: '192.0.2.10',
    severity: 'high',
    source: 'fastnetmon',
    peakBps: 12_000_000_000,
    peakPps: 3_000_000,
    reportedStartedAt: '2026-01-05T10:00:00+01:00',
    startedAt: expect.any(String),
    resolvedAt: expect.any(String),
  });
  expect(b).toEqual({ id: 'inc-b', startedAt: expect.any(String), resolvedAt: null });
  expect(c).toEqual({ id: 'inc-c', startedAt: c!.resolvedAt, resolvedAt: expect.any(String) });
  for (const time of [a!.startedAt, a!.resolvedAt!, b!.startedAt, c!.startedAt]) expect(Date.parse(time)).toBeGreaterThanOrEqual(before - 1);
  for (const time of [a!.startedAt, a!.resolvedAt!, b!.startedAt, c!.startedAt]) expect(Date.parse(time)).toBeLessThanOrEqual(after + 1);
  expect(Date.parse(a!.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(a!.startedAt));
});

test('since, limit and the cursor page through the history newest first, through incidents of the same millisecond, a week back at most', async () => {
  const incidents = incidentRepository(api.database.models);
  const now = Date.now();
  const tie = new Date(now - 2 * H);
  for (const id of ['p-1', 'p-2', 'p-3', 'p-4', 'p-5']) await incidents.started('hist-page', { incidentId: id }, tie);
  await incidents.started('hist-page', { incidentId: 'q-newest' }, new Date(now - 1 * H));
  await incidents.started('hist-page', { incidentId: 'q-3h' }, new Date(now - 3 * H));
  await incidents.resolved('hist-page', 'q-3h', new Date(now - 2.5 * H));
  await incidents.started('hist-page', { incidentId: 'q-30h' }, new Date(now - 30 * H));
  await incidents.started('hist-page', { incidentId: 'q-8-days' }, new Date(now - 8 * 24 * H)); // still active, yet beyond the reach

  const day = ['q-newest', 'p-5', 'p-4', 'p-3', 'p-2', 'p-1', 'q-3h'];
  expect(await pagesOf('hist-page', '', 3)).toEqual([day.slice(0, 3), day.slice(3, 6), day.slice(6)]);
  expect((await pagesOf('hist-page', '', 2)).flat()).toEqual(day);
  expect(await pagesOf('hist-page', '', 500)).toEqual([day]);
  const twoDays = `since=${encodeURIComponent(new Date(now - 48 * H).toISOString())}`;
  expect((await pagesOf('hist-page', twoDays, 4)).flat()).toEqual([...day, 'q-30h']);
  const sinceTie = `since=${encodeURIComponent(tie.toISOString())}`;
  expect((await pagesOf('hist-page', sinceTie, 2)).flat()).toEqual(day.slice(0, 6));

  const tenDays = await history('hist-page', `since=${encodeURIComponent(new Date(now - 10 * 24 * H).toISOString())}`);
  expect(tenDays.body.incidents.map((i: Item) => i.id)).toEqual([...day, 'q-30h']);
  expect(Math.abs(Date.parse(tenDays.body.since) - (now - 7 * 24 * H))).toBeLessThan(60_000);
  expect((await history('hist-page', 'limit=1')).body).toMatchObject({ incidents: [{ id: 'q-newest' }], next: expect.any(String) });
  expect((await history('hist-page')).body.incidents).toHaveLength(day.length);
  const resolved = (await history('hist-page')).body.incidents.find((i: Item) => i.id === 'q-3h');
  expect(resolved).toEqual({ id: 'q-3h', startedAt: new Date(now - 3 * H).toISOString(), resolvedAt: new Date(now - 2.5 * H).toISOString() });
  // A time in the future lists nothing.
  expect((await history('hist-page', `since=${encodeURIComponent(new Date(now + H).toISOString())}`)).body).toMatchObject({ incidents: [], next: null });
});

test('the history and the filters are served by indexes', async () => {
  const keysOf = async (collection: string) => (await api.database.connection.collection(collection).indexes()).map((index) => JSON.stringify(index.key));
  expect(await keysOf('incidents')).toContain(JSON.stringify({ workspace: 1, startedAt: -1, _id: -1 }));
  expect(await keysOf('audit_events')).toEqual(expect.arrayContaining(['action', 'integration', 'actor', 'outcome'].map((field) => JSON.stringify({ workspace: 1, [field]: 1, _id: -1 }))));
});

test("every role of the workspace reads the history; another workspace's key gets 404, no key 401", async () => {
  for (const role of ['owner', 'admin', 'detector', 'viewer']) {
    const answer = await history('hist', '', keys[`hist:${role}`]);
    expect({ role, status: answer.status }).toEqual({ role, status: 200 });
  }
  const foreign = await history('hist', '', keys['hist-other:owner']);
  expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 404, code: 'not_found' });
  expect((await history('hist', '', ADMIN_TOKEN)).status).toBe(404);
  expect((await api.call('GET', '/v1/workspaces/hist/incidents')).status).toBe(401);
  // The path also takes reports: another method is a 405 naming both.
  const put = await api.call('PUT', '/v1/workspaces/hist/incidents', { token: keys['hist:owner'], body: {} });
  expect(put.status).toBe(405);
  expect(put.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
  // OPTIONS too (Express answers it from the first router whose routes match: both methods sit in one).
  const options = await api.call('OPTIONS', '/v1/workspaces/hist/incidents', { token: keys['hist:owner'] });
  expect(
    options.headers
      .get('allow')
      ?.split(',')
      .map((m) => m.trim())
      .sort(),
  ).toEqual(['GET', 'HEAD', 'POST']);
});

test('bad query values are 400s naming the field, never echoing it', async () => {
  const cases: [string, string][] = [
    ['since=yesterday', 'query.since'],
    ['since=2026-02-30T00:00:00Z', 'query.since'],
    ['since=1767225600000', 'query.since'],
    ['limit=0', 'query.limit'],
    ['limit=501', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['before=not-a-cursor', 'query.before'],
    ['before=1767225600000.a%20b', 'query.before'],
    ['sort=asc', 'query.sort'],
  ];
  for (const [query, field] of cases) {
    const answer = await history('hist', query);
    expect({ query, status: answer.status, fields: answer.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ query, status: 400, fields: [field] });
    expect(JSON.stringify(answer.body)).not.toContain(query.split('=')[1]);
  }
});

test('the audit trail is filtered by the API: action exact or prefix*, integration, actor, outcome, each with paging', async () => {
  const audit = auditRepository(api.database.models);
  const record = (action: string, actor: string, integration: string | null, outcome: 'ok' | 'failed' | 'requested') => audit.record({ workspace: 'hist-audit', action, actor, integration, outcome });
  // Oldest first: the API lists them newest first.
  await record('manual.activate', 'key_a', 'int_1', 'ok');
  await record('divert', 'workflow', 'int_1', 'ok');
  await record('divert.adopted', 'workflow', 'int_2', 'ok');
  await record('manualx.check', 'key_b', null, 'ok');
  await record('dry-run.divert', 'workflow', 'int_2', 'ok');
  await record('divert.deferred', 'workflow', 'int_1', 'requested');
  await record('diverts', 'workflow', null, 'ok');
  await record('diveru', 'workflow', null, 'ok');
  for (let i = 0; i < 7; i++) await record('withdraw', 'workflow', 'int_1', i === 3 ? 'failed' : 'ok');
  await record('manual.withdraw', 'key_a', 'int_2', 'failed');
  // Another workspace's record never shows.
  await audit.record({ workspace: 'hist', action: 'divert', actor: 'workflow', integration: 'int_1', outcome: 'ok' });

  type Event = { action: string; actor: string; integration: string | null; outcome: string };
  const filtered = async (query: string, limit = 2) => {
    const pages = await pagesOf('hist-audit', query, limit, 'events', (body: { events: Event[] }) => body.events.map((e) => `${e.action} ${e.actor} ${e.integration} ${e.outcome}`));
    expect(pages.every((page) => page.length <= limit)).toBe(true);
    expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    return pages.flat();
  };
  const withdrawals = (outcome?: string) => [6, 5, 4, 3, 2, 1, 0].map((i) => `withdraw workflow int_1 ${i === 3 ? 'failed' : 'ok'}`).filter((line) => !outcome || line.endsWith(outcome));

  expect(await filtered('action=divert')).toEqual(['divert workflow int_1 ok']);
  expect(await filtered('action=divert*')).toEqual(['diverts workflow null ok', 'divert.deferred workflow int_1 requested', 'divert.adopted workflow int_2 ok', 'divert workflow int_1 ok']);
  expect(await filtered('action=divert.*')).toEqual(['divert.deferred workflow int_1 requested', 'divert.adopted workflow int_2 ok']);
  expect(await filtered('action=manual.*')).toEqual(['manual.withdraw key_a int_2 failed', 'manual.activate key_a int_1 ok']);
  expect(await filtered('action=manual*')).toEqual(['manual.withdraw key_a int_2 failed', 'manualx.check key_b null ok', 'manual.activate key_a int_1 ok']);
  expect(await filtered('integration=int_2')).toEqual(['manual.withdraw key_a int_2 failed', 'dry-run.divert workflow int_2 ok', 'divert.adopted workflow int_2 ok']);
  expect(await filtered('actor=key_a')).toEqual(['manual.withdraw key_a int_2 failed', 'manual.activate key_a int_1 ok']);
  expect(await filtered('outcome=failed')).toEqual(['manual.withdraw key_a int_2 failed', 'withdraw workflow int_1 failed']);
  expect(await filtered('action=withdraw&integration=int_1&actor=workflow', 3)).toEqual(withdrawals());
  expect(await filtered('action=withdraw&outcome=ok', 3)).toEqual(withdrawals('ok'));
  expect(await filtered('action=nothing*')).toEqual([]);
  // Without filters, every record of the workspace: the 16 above and its creation.
  expect(await filtered('', 5)).toHaveLength(17);

  for (const [query, field] of [
    ['action=a*b', 'query.action'],
    ['action=*', 'query.action'],
    ['integration=a%20b', 'query.integration'],
    ['actor=', 'query.actor'],
    ['outcome=maybe', 'query.outcome'],
  ]) {
    const answer = await api.call('GET', `/v1/workspaces/hist-audit/events?${query}`, { token: keys['hist-audit:owner'] });
    expect({ query, status: answer.status, fields: [...new Set(answer.body.error.details.map((d: { field: string }) => d.field))] }).toEqual({ query, status: 400, fields: [field] });
  }
});

test('the OpenAPI document describes the history and the filters', async () => {
  const doc = (await api.call('GET', '/openapi.json')).body;
  const names = (path: string) => doc.paths[path].get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
  expect(names('/v1/workspaces/{ws}/incidents')).toEqual(['since', 'before', 'limit']);
  expect(names('/v1/workspaces/{ws}/events')).toEqual(['limit', 'before', 'action', 'integration', 'actor', 'outcome']);
  expect(doc.components.schemas.IncidentRecord.required).toEqual(['id', 'startedAt', 'resolvedAt']);
  expect(Object.keys(doc.paths['/v1/workspaces/{ws}/incidents'].get.responses)).toContain('200');
});
