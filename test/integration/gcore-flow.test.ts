/**
 * Gcore, the provider added through the catalog, over the whole path: created through the API
 * (its schema derived from the catalog, an invalid prefix refused naming the field), Test in the
 * worker, an attack announces the prefix at the simulated Gcore, the resolve withdraws it; the
 * workflow calls the operation the catalog names (`gcore.announce`), and the key is never shown.
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { everyHistoryText } from '../support/temporal';

const bed = useBed();
let api: ApiBed;
const KEY = `gcore-secret-${randomBytes(16).toString('hex')}`;
const PREFIX = '192.0.2.0/24';
let owner = '';
let detector = '';
let id = '';

beforeAll(async () => {
  bed.secrets.push(KEY);
  api = await startApi(bed);
  bed.sim.gcore.seed({ apiKey: KEY, clientId: 42, prefix: PREFIX });
  owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'gc', name: 'Gcore Hosting', holdDownSeconds: 0 } })).body.ownerKey.key;
  detector = (await api.call('POST', '/v1/workspaces/gc/api-keys', { token: owner, body: { name: 'fastnetmon', role: 'detector' } })).body.key;
});
afterAll(() => api?.close());

const announced = () => bed.sim.gcore.list().find((p) => p.prefix === PREFIX)?.announced;
const scrubbing = async () => (await api.call('GET', '/v1/workspaces/gc/scrubbing', { token: detector })).body;

test("a Gcore integration is validated by the catalog's schema and returned with its key masked", async () => {
  const bad = await api.call('POST', '/v1/workspaces/gc/integrations', {
    token: owner,
    body: { type: 'gcore', name: 'Gcore', settings: { prefix: '192.0.2.1', extra: 1 }, credentials: { apiKey: KEY } },
  });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/settings\.prefix|settings","prefix/);
  const created = await api.call('POST', '/v1/workspaces/gc/integrations', {
    token: owner,
    body: { type: 'gcore', name: 'Gcore DDoS Protection', settings: { prefix: PREFIX, clientId: 42 }, credentials: { apiKey: KEY } },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ type: 'gcore', credentials: { apiKey: '********' }, timing: { minActiveSeconds: 0, reactivateAfterSeconds: 0, why: expect.stringContaining('Gcore') } });
  id = created.body.id;
  const spec = await api.call('GET', '/openapi.json');
  expect(JSON.stringify(spec.body.components.schemas.CreateIntegration)).toContain('"gcore"');
});

test('Test, then an attack announces the prefix at Gcore and its resolve withdraws it', async () => {
  await api.withWorker(async () => {
    const tested = await api.call('POST', `/v1/workspaces/gc/integrations/${id}/test`, { token: owner });
    expect(tested.body).toEqual({ ok: true, summary: `API key accepted; prefix ${PREFIX} not announced`, warnings: [] });

    expect((await api.call('POST', '/v1/workspaces/gc/incidents', { token: detector, body: { id: 'atk-1', target: '192.0.2.7' } })).status).toBe(202);
    await eventually(scrubbing, (v) => v.integrations.find((i: { id: string }) => i.id === id)?.actual === 'active', { what: 'Gcore diverted' });
    expect(announced()).toBe(true);

    expect((await api.call('POST', '/v1/workspaces/gc/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    await eventually(scrubbing, (v) => v.integrations.find((i: { id: string }) => i.id === id)?.actual === 'inactive', { what: 'Gcore withdrawn' });
    expect(announced()).toBe(false);
  });
  const histories = (await everyHistoryText(bed.env.client)).join('\n');
  expect(histories).toContain('gcore.announce');
  expect(histories).toContain('gcore.withdraw');
  expect(histories).not.toContain(KEY);
});
