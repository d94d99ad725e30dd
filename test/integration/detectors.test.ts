/**
 * Detectors connect with their own webhooks (issue I): a source is created through the API, the
 * detector posts its vendor's payload to the URL it was given, and the real API, worker and
 * workflow divert and withdraw at the simulated provider. Payloads are the vendors' published
 * examples (test/fixtures/detectors, each naming its page; Flowtriq's with a current timestamp,
 * since the published one is a replay by now):
 *   Flowtriq: flowtriq.com/docs?section=webhooks
 *   FastNetMon Advanced: fastnetmon.com/docs-fnm-advanced/fastnetmon-json-formats/
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hmacSha256Hex } from '../../api/detectors';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { everyHistoryText } from '../support/temporal';

const bed = useBed();
let api: ApiBed;
const hex = () => randomBytes(16).toString('hex');
const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
const WS = 'detect';
let owner = '';
let viewer = '';
let integrationId = '';
/**
 * Source secrets: shown once in their creation's answer (like an API key), so they are not in the
 * suite-wide scan of every answer; the tests look for them in everything else.
 */
const sourceSecrets: string[] = [];

type Payload = Record<string, unknown>;
const published = (vendor: string, name: string): Payload =>
  structuredClone((JSON.parse(readFileSync(join(__dirname, '../fixtures/detectors', `${vendor}.json`), 'utf8')) as { examples: Record<string, { payload: Payload }> }).examples[name]!.payload);
/** Flowtriq's published attack_start (or its end), sent now, for one attack of ours. */
const flowtriq = (name: 'start' | 'end', uuid: string, at = new Date()): Payload => {
  const payload = published('flowtriq', name);
  return { ...payload, timestamp: at.toISOString(), incident: { ...(payload.incident as Payload), uuid } };
};
const signed = (secret: string, payload: Payload) => {
  const body = JSON.stringify(payload);
  return { body, headers: { 'x-flowtriq-signature': `sha256=${hmacSha256Hex(secret, Buffer.from(body))}` } };
};
const scrubbing = async () => (await api.call('GET', `/v1/workspaces/${WS}/scrubbing`, { token: viewer })).body;
const actual = (view: { integrations: { id: string; actual: string }[] }) => view.integrations.find((i) => i.id === integrationId)?.actual;

beforeAll(async () => {
  bed.secrets.push(cf.token);
  api = await startApi(bed);
  bed.sim.cloudflare.seed({ ...cf, cidr: '203.0.113.0/24' });
  owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: WS, name: 'Detected Hosting', holdDownSeconds: 1 } })).body.ownerKey.key;
  viewer = (await api.call('POST', `/v1/workspaces/${WS}/api-keys`, { token: owner, body: { name: 'wall screen', role: 'viewer' } })).body.key;
  const created = await api.call('POST', `/v1/workspaces/${WS}/integrations`, {
    token: owner,
    body: { type: 'cloudflare', name: 'Magic Transit', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } },
  });
  integrationId = created.body.id;
});
afterAll(() => api?.close());

test('a source is created by an owner or admin, answers its URL and secret once, and never shows the secret again', async () => {
  expect((await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: viewer, body: { type: 'flowtriq', name: 'edge' } })).status).toBe(403);
  const refused = await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'kentik', name: 'kentik', secret: 'x'.repeat(32) } });
  expect(refused).toMatchObject({ status: 400, body: { error: { details: [expect.objectContaining({ field: 'body.secret' })] } } });

  const created = await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'fastnetmon', name: 'fnm' } });
  expect(created.status).toBe(201);
  expect(created.body.url).toBe(`${api.url}/v1/ingest/${created.body.id}/${created.body.secret}`);
  expect(created.body.secret).toMatch(/^[\w-]{43}$/);
  sourceSecrets.push(created.body.secret);
  const listed = await api.call('GET', `/v1/workspaces/${WS}/detector-sources`, { token: viewer });
  expect(listed.status).toBe(200);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
  const raw = await api.database.connection.collection('detector_sources').find({ workspace: WS }).toArray();
  expect(JSON.stringify(raw)).not.toContain(created.body.secret);
});

test('a Flowtriq attack_start diverts and its attack_end withdraws; peaks and severity travel with the incident', async () => {
  const source = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'flowtriq', name: 'edge nodes' } })).body;
  expect(source.url).toBe(`${api.url}/v1/ingest/${source.id}`);
  sourceSecrets.push(source.secret);
  const ingest = (delivery: { body: string; headers: Record<string, string> }) => api.call('POST', `/v1/ingest/${source.id}`, delivery);

  await api.withWorker(async () => {
    const start = await ingest(signed(source.secret, flowtriq('start', 'attack-7')));
    expect(start).toMatchObject({ status: 202, body: { outcome: 'accepted', incidentId: 'flowtriq:attack-7', phase: 'start' } });
    const diverted = await eventually(scrubbing, (v) => actual(v) === 'active', { what: 'diverted by the Flowtriq start' });
    expect(diverted.activeIncidents).toEqual([
      expect.objectContaining({ incidentId: 'flowtriq:attack-7', target: '203.0.113.10', severity: 'critical', peakBps: 1547000000, peakPps: 2450000, source: 'flowtriq' }),
    ]);
    expect(bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised).toBe(true);

    const end = await ingest(signed(source.secret, flowtriq('end', 'attack-7')));
    expect(end).toMatchObject({ status: 202, body: { outcome: 'accepted', incidentId: 'flowtriq:attack-7', phase: 'end' } });
    await eventually(scrubbing, (v) => actual(v) === 'inactive' && v.activeIncidentCount === 0, { what: 'withdrawn after the Flowtriq end', timeoutMs: 30_000 });
    expect(bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised).toBe(false);
  });
});

test('Flowtriq deliveries: a bad signature is 401 without echoing the payload, a replay is refused, a repeat and unknown events are acknowledged, an end without its start is harmless', async () => {
  const source = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'flowtriq', name: 'lab' } })).body;
  sourceSecrets.push(source.secret);
  const ingest = (delivery: { body: string; headers: Record<string, string> }) => api.call('POST', `/v1/ingest/${source.id}`, delivery);

  const forged = await ingest(signed('not the secret of this source', flowtriq('start', 'forged-1')));
  expect(forged).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
  expect(JSON.stringify(forged.body)).not.toContain('forged-1');
  expect((await ingest({ body: JSON.stringify(flowtriq('start', 'unsigned-1')), headers: {} })).status).toBe(401);

  // The published example as published: its timestamp (2025-03-10) is far in the past.
  const replay = await ingest(signed(source.secret, { ...published('flowtriq', 'start') }));
  expect(replay).toMatchObject({ status: 401, body: { error: { code: 'replayed' } } });

  const endFirst = await ingest(signed(source.secret, flowtriq('end', 'never-started')));
  expect(endFirst).toMatchObject({ status: 202, body: { outcome: 'accepted', phase: 'end' } });
  // The detector sends it again later (another timestamp, so not the same delivery): harmless too.
  const again = await ingest(signed(source.secret, flowtriq('end', 'never-started', new Date(Date.now() + 1_000))));
  expect(again).toMatchObject({ status: 202, body: { outcome: 'accepted', phase: 'end' } });
  const test = await ingest(signed(source.secret, { event_type: 'test', timestamp: new Date().toISOString() }));
  expect(test).toMatchObject({ status: 202, body: { outcome: 'ignored', reason: 'test event' } });
  const unknown = await ingest(signed(source.secret, { ...flowtriq('start', 'x'), event_type: 'node_offline' }));
  expect(unknown).toMatchObject({ status: 202, body: { outcome: 'ignored' } });

  const counted = await eventually(
    async () => (await api.call('GET', `/v1/workspaces/${WS}/detector-sources/${source.id}`, { token: viewer })).body,
    (s) => s.counts.bad_proof === 2 && s.counts.replayed === 1 && s.counts.ignored === 2 && s.counts.event >= 1,
    { what: 'deliveries counted on the source' },
  );
  expect(counted.lastEventAt).not.toBeNull();
  const metrics = await api.call('GET', '/metrics');
  expect(metrics.body).toMatch(/scrubbing_detector_deliveries_total\{type="flowtriq",outcome="bad_proof"\} [2-9]/);
});

test('the same signed delivery twice is acknowledged once as an incident event, then as a duplicate', async () => {
  const source = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'flowtriq', name: 'twice' } })).body;
  sourceSecrets.push(source.secret);
  const delivery = signed(source.secret, flowtriq('end', 'twice-1'));
  expect((await api.call('POST', `/v1/ingest/${source.id}`, delivery)).body.outcome).toBe('accepted');
  expect((await api.call('POST', `/v1/ingest/${source.id}`, delivery)).body).toEqual({ outcome: 'duplicate', reason: 'the same delivery was accepted moments ago' });
});

test('FastNetMon: the secret is the URL; a wrong one is 401; an address outside the allow-list is 403; an unknown source is 404', async () => {
  const source = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'fastnetmon', name: 'fnm2' } })).body;
  sourceSecrets.push(source.secret);
  const ban = published('fastnetmon', 'end'); // an unban: no diversion needed for this check
  expect((await api.call('POST', new URL(source.url).pathname, { body: ban })).body).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('outgoing') });
  const incoming = { ...ban, attack_details: { ...(ban.attack_details as Payload), attack_direction: 'incoming' } };
  expect((await api.call('POST', new URL(source.url).pathname, { body: incoming })).body).toMatchObject({
    outcome: 'accepted',
    incidentId: 'fastnetmon:041eb504-2b33-4ff7-a6b7-8235408d5062',
    phase: 'end',
  });
  expect((await api.call('POST', `/v1/ingest/${source.id}/${'A'.repeat(43)}`, { body: incoming })).status).toBe(401);
  expect((await api.call('POST', `/v1/ingest/det_doesnotexist/${source.secret}`, { body: incoming })).status).toBe(404);

  const fenced = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'fastnetmon', name: 'fenced', options: { allowedAddresses: ['192.0.2.0/24'] } } }))
    .body;
  sourceSecrets.push(fenced.secret);
  expect((await api.call('POST', new URL(fenced.url).pathname, { body: incoming })).status).toBe(403);
});

test("the README's FastNetMon Community and Wanguard scripts report through a generic source", async () => {
  const source = (await api.call('POST', `/v1/workspaces/${WS}/detector-sources`, { token: owner, body: { type: 'generic', name: 'scripts' } })).body;
  sourceSecrets.push(source.secret);
  // As the detectors run them: arguments, nothing more on stdin.
  const run = (script: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('sh', [join('scripts/detectors', script), ...args], { env: { ...process.env, SCRUBBING_URL: source.url }, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
    });
  const incidents = async () => ((await scrubbing()).activeIncidents as { incidentId: string; peakPps?: number }[]).map((i) => `${i.incidentId}${i.peakPps ? ` ${i.peakPps}` : ''}`);
  await api.withWorker(async () => {
    await run('fastnetmon-notify.sh', ['198.51.100.7', 'incoming', '120000', 'ban']);
    await run('wanguard-response.sh', ['start', '4242', '198.51.100.8', 'incoming']);
    await run('wanguard-response.sh', ['start', '4243', '198.51.100.9', 'outgoing']); // not reported: our host attacks
    await eventually(incidents, (list) => list.join(',') === 'generic:fnm-198.51.100.7 120000,generic:wanguard-4242', { what: 'both script attacks active' });
    await run('fastnetmon-notify.sh', ['198.51.100.7', 'incoming', '0', 'unban']);
    await run('wanguard-response.sh', ['end', '4242', '198.51.100.8', 'incoming']);
    await eventually(incidents, (list) => list.length === 0, { what: 'both script attacks resolved' });
  });
});

test('the OpenAPI document describes the ingest routes and the source routes; no source secret is in any workflow history', async () => {
  const doc = (await api.call('GET', '/openapi.json')).body;
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(['/v1/ingest/{sourceId}', '/v1/ingest/{sourceId}/{token}', '/v1/workspaces/{ws}/detector-sources', '/v1/workspaces/{ws}/detector-sources/{id}']),
  );
  const histories = await everyHistoryText(bed.env.client);
  expect([...bed.secrets, ...sourceSecrets].filter((secret) => histories.includes(secret))).toEqual([]);
  const listed = JSON.stringify((await api.call('GET', `/v1/workspaces/${WS}/detector-sources`, { token: owner })).body);
  expect(sourceSecrets.filter((secret) => listed.includes(secret))).toEqual([]);
});
