/**
 * The REST API over HTTP against the real Temporal server, the real worker and
 * the provider simulator: detector routes, state, manual controls, and clear
 * 4xx answers that name the field for bad input.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createScrubbingService } from '../../api/scrubbing-service';
import type { WorkspaceConfig } from '../../workflows/messages';
import {
  advertisedAtSimulator,
  cloudflareIntegration,
  storeOf,
  uniqueId,
  useBed,
  withWorker,
} from '../support/bed';
import { eventually } from '../support/eventually';
import { TASK_QUEUE } from '../../workflows/messages';

const TOKEN = 'test-api-token-0123456789';
const bed = useBed();
let server: Server;
let baseUrl: string;
const configs = new Map<string, WorkspaceConfig>();

beforeAll(async () => {
  const service = createScrubbingService({
    client: bed.env.client,
    taskQueue: TASK_QUEUE,
    manualActionTimeoutMs: 30_000,
    directory: { configOf: (ws) => Promise.resolve(configs.get(ws)) },
  });
  const app = createApp({ service, client: bed.env.client, connection: bed.env.connection, apiToken: TOKEN });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function workspace(holdDownSeconds = 0) {
  const ws = uniqueId('ws');
  const a = cloudflareIntegration(bed, ws);
  const manualOnly = cloudflareIntegration(bed, ws, { autoDivert: false });
  configs.set(ws, { version: 1, holdDownSeconds, integrations: [a.config, manualOnly.config] });
  return { ws, a, manualOnly };
}

// The API starts workflows with the production retry policy; the tests' worker uses the default task queue.
function runWorker<T>(store: ReturnType<typeof storeOf>, fn: () => Promise<T>) {
  return withWorker(bed, TASK_QUEUE, store, fn);
}

test('rejects missing and wrong bearer tokens with 401 JSON', async () => {
  const none = await call('GET', '/v1/workspaces/acme/scrubbing', undefined, { authorization: '' });
  expect(none.status).toBe(401);
  expect(none.body.error.code).toBe('unauthorized');
  const wrong = await call('GET', '/v1/workspaces/acme/scrubbing', undefined, { authorization: 'Bearer not-the-token' });
  expect(wrong.status).toBe(401);
  const health = await fetch(`${baseUrl}/healthz`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${baseUrl}/readyz`);
  expect(ready.status).toBe(200);
});

test('an incident diverts, its resolve withdraws, and the scrubbing state shows both', async () => {
  const { ws, a, manualOnly } = workspace();
  await runWorker(storeOf(a, manualOnly), async () => {
    const before = await call('GET', `/v1/workspaces/${ws}/scrubbing`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ running: false, activeIncidents: [] });

    const started = await call('POST', `/v1/workspaces/${ws}/incidents`, { id: 'atk-1', target: '192.0.2.10', severity: 'high', source: 'fastnetmon' });
    expect(started).toEqual({ status: 202, body: { workspaceId: ws, incidentId: 'atk-1', workflowId: `scrubbing-${ws}` } });
    await eventually(
      () => call('GET', `/v1/workspaces/${ws}/scrubbing`),
      (r) => r.body.integrations?.find((i: { id: string }) => i.id === a.config.id)?.actual === 'active',
      { what: 'diverted' },
    );
    expect(advertisedAtSimulator(bed, a)).toBe(true);
    expect(advertisedAtSimulator(bed, manualOnly)).toBe(false);

    const resolved = await call('POST', `/v1/workspaces/${ws}/incidents/atk-1/resolve`);
    expect(resolved.status).toBe(202);
    await eventually(() => advertisedAtSimulator(bed, a), (v) => !v, { what: 'withdrawn' });
  });
});

test('manual activate and withdraw answer with the resulting state; unknown integrations are 404', async () => {
  const { ws, a, manualOnly } = workspace();
  await runWorker(storeOf(a, manualOnly), async () => {
    const activated = await call('POST', `/v1/workspaces/${ws}/integrations/${manualOnly.config.id}/activate`, { reason: 'pre-emptive' });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ id: manualOnly.config.id, actual: 'active', manual: 'activate' });
    expect(advertisedAtSimulator(bed, manualOnly)).toBe(true);

    const withdrawn = await call('POST', `/v1/workspaces/${ws}/integrations/${manualOnly.config.id}/withdraw`);
    expect(withdrawn.body).toMatchObject({ actual: 'inactive', manual: 'withdraw' });

    const unknown = await call('POST', `/v1/workspaces/${ws}/integrations/nope/activate`);
    expect(unknown.status).toBe(404);
    const otherWorkspace = await call('POST', `/v1/workspaces/no-such-ws/integrations/${manualOnly.config.id}/activate`);
    expect(otherWorkspace.status).toBe(404);
  });
});

test('a failing provider call on a manual action is a 502 naming the provider error', async () => {
  const { ws, a, manualOnly } = workspace();
  const badStore = storeOf(a);
  badStore.put({ ...manualOnly.stored, credentials: { apiToken: 'revoked' } });
  await runWorker(badStore, async () => {
    const answer = await call('POST', `/v1/workspaces/${ws}/integrations/${manualOnly.config.id}/activate`);
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('provider_failed');
    expect(answer.body.error.message).toContain('ProviderAuthError');
    expect(JSON.stringify(answer.body)).not.toContain('revoked');
  });
});

test.each([
  ['a missing id', { target: '192.0.2.1' }, 'body.id'],
  ['an invalid IPv4 target', { id: 'x', target: '192.0.2.256' }, 'body.target'],
  ['an invalid IPv6 target', { id: 'x', target: '2001:db8:::1' }, 'body.target'],
  ['an unknown field', { id: 'x', nope: 1 }, 'body'],
  ['a bad startedAt', { id: 'x', startedAt: 'yesterday' }, 'body.startedAt'],
  ['an id with a slash', { id: 'a/b' }, 'body.id'],
])('an incident with %s is a 400 naming the field', async (_what, body, field) => {
  const { ws } = workspace();
  const answer = await call('POST', `/v1/workspaces/${ws}/incidents`, body);
  expect(answer.status).toBe(400);
  expect(answer.body.error.code).toBe('validation_failed');
  expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
});

test('malformed requests get clear 4xx answers', async () => {
  const { ws } = workspace();
  const invalidJson = await call('POST', `/v1/workspaces/${ws}/incidents`, '{"id":');
  expect(invalidJson.status).toBe(400);
  expect(invalidJson.body.error.code).toBe('invalid_json');
  const textBody = await call('POST', `/v1/workspaces/${ws}/incidents`, 'id=x', { 'content-type': 'text/plain' });
  expect(textBody.status).toBe(415);
  const huge = await call('POST', `/v1/workspaces/${ws}/incidents`, { id: 'x', source: 'y'.repeat(100_000) });
  expect(huge.status).toBe(413);
  const badWorkspace = await call('POST', '/v1/workspaces/Not_Valid/incidents', { id: 'x' });
  expect(badWorkspace.status).toBe(400);
  expect(badWorkspace.body.error.details[0].field).toBe('params.ws');
  const unknownWorkspace = await call('POST', '/v1/workspaces/unknown-ws/incidents', { id: 'x' });
  expect(unknownWorkspace.status).toBe(404);
  const noRoute = await call('GET', '/v1/nothing-here');
  expect(noRoute.status).toBe(404);
  expect(noRoute.body.error.code).toBe('not_found');
});


test('a newer workspace configuration reaches a running workflow with the next request', async () => {
  const { ws, a, manualOnly } = workspace();
  const late = cloudflareIntegration(bed, ws, { cidr: '198.51.100.0/24' });
  await runWorker(storeOf(a, manualOnly, late), async () => {
    expect((await call('POST', `/v1/workspaces/${ws}/incidents`, { id: 'atk-1' })).status).toBe(202);
    await eventually(() => advertisedAtSimulator(bed, a), Boolean, { what: 'first integration diverted' });

    configs.set(ws, { version: 2, holdDownSeconds: 0, integrations: [a.config, manualOnly.config, late.config] });
    expect((await call('POST', `/v1/workspaces/${ws}/incidents`, { id: 'atk-2' })).status).toBe(202);
    await eventually(() => advertisedAtSimulator(bed, late), Boolean, { what: 'the added integration diverted' });
  });
});
