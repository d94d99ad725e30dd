/**
 * Notifications end to end: channels created through the API (secrets encrypted, masked in
 * answers), an attack reported by a detector, and a local receiver standing in for the webhook
 * endpoint, Slack and PagerDuty's Events API v2. Checks the webhook signature and bodies, the
 * Slack and PagerDuty payload formats, that a failing channel is retried without delaying the
 * diversion or repeating the others, and that a provider failure pages.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { recordEvidence } from '../support/secret-scan';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const bed = useBed();
let api: ApiBed;
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
/** Paths that answer 503 this many more times. */
const failing = new Map<string, number>();

const hex = () => randomBytes(16).toString('hex');
const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-${hex()}` };
const signingSecret = `whsec-${hex()}`;
const slackToken = `slack-${hex()}`;
const routingKey = `R${hex()}`;
let owner = '';
let detector = '';
let integrationId = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      const left = failing.get(path) ?? 0;
      if (left > 0) {
        failing.set(path, left - 1);
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ path, headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(path === '/pd' ? 202 : 200, { 'content-type': 'application/json' }).end(path === '/pd' ? '{"status":"success"}' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  bed.secrets.push(cf.token, signingSecret, slackToken, routingKey);
  api = await startApi(bed, { pagerDutyUrl: `${receiverUrl}/pd` });
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'notify', name: 'Notify Hosting', holdDownSeconds: 0 } })).body.ownerKey.key;
  detector = (await api.call('POST', '/v1/workspaces/notify/api-keys', { token: owner, body: { name: 'detector', role: 'detector' } })).body.key;
  const integration = await api.call('POST', '/v1/workspaces/notify/integrations', {
    token: owner,
    body: {
      type: 'cloudflare',
      name: 'Magic Transit',
      ...NO_PROVIDER_WINDOWS,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId },
      credentials: { apiToken: cf.token },
    },
  });
  integrationId = integration.body.id;
});
afterAll(async () => {
  // What receivers saw must not hold a credential either, apart from the routing key PagerDuty needs.
  recordEvidence('api-response', ...received.map((r) => JSON.stringify({ ...r.body, routing_key: undefined })));
  await api?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const channels = () => [
  { type: 'webhook', name: 'NOC webhook', settings: { url: `${receiverUrl}/hook?team=noc` }, secrets: { signingSecret } },
  { type: 'slack', name: '#ddos', secrets: { webhookUrl: `${receiverUrl}/slack/T000/B000/${slackToken}` } },
  { type: 'pagerduty', name: 'On call', settings: { severity: 'critical' }, secrets: { routingKey } },
];
const at = (path: string) => received.filter((r) => r.path.startsWith(path));
const advertised = () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised === true;

test('channels are managed by owner and admin, validated per type, and never show their secrets', async () => {
  for (const body of channels()) {
    const created = await api.call('POST', '/v1/workspaces/notify/notification-channels', { token: owner, body });
    expect(created.status).toBe(201);
    expect(Object.values(created.body.secrets)).toEqual(['********']);
  }
  const list = await api.call('GET', '/v1/workspaces/notify/notification-channels', { token: owner });
  expect(list.body.map((c: { type: string }) => c.type)).toEqual(['webhook', 'slack', 'pagerduty']);
  expect((await api.call('GET', '/v1/workspaces/notify/notification-channels', { token: detector })).status).toBe(403);
  const badUrl = await api.call('POST', '/v1/workspaces/notify/notification-channels', {
    token: owner,
    body: { type: 'webhook', name: 'x', settings: { url: 'ftp://x' }, secrets: { signingSecret } },
  });
  expect(badUrl.body.error.details[0].field).toBe('body.settings.url');
  const shortSecret = await api.call('POST', '/v1/workspaces/notify/notification-channels', {
    token: owner,
    body: { type: 'webhook', name: 'x', settings: { url: receiverUrl }, secrets: { signingSecret: 'short' } },
  });
  expect(shortSecret.body.error.details[0].field).toBe('body.secrets.signingSecret');
  const raw = await api.database.connection.collection('notification_channels').find({ workspace: 'notify' }).toArray();
  expect([signingSecret, slackToken, routingKey].filter((secret) => JSON.stringify(raw).includes(secret))).toEqual([]);
});

test('an attack notifies every channel: a signed webhook, a Slack message, and PagerDuty resolves; the withdraw too', async () => {
  await api.withWorker(async () => {
    expect((await api.call('POST', '/v1/workspaces/notify/incidents', { token: detector, body: { id: 'atk-1', target: '192.0.2.10' } })).status).toBe(202);
    await eventually(
      () => at('/hook').length,
      (n) => n >= 1,
      { what: 'webhook delivery' },
    );
    const hook = at('/hook')[0]!;
    expect(hook.body).toMatchObject({
      event: 'diverted',
      workspaceId: 'notify',
      workflowId: 'scrubbing-notify',
      integration: { id: integrationId, type: 'cloudflare', name: 'Magic Transit' },
      operation: 'activate',
      incidents: ['atk-1'],
      temporalUrl: 'http://temporal-ui.test/namespaces/default/workflows/scrubbing-notify',
    });
    const timestamp = hook.headers['x-scrubbing-timestamp'] as string;
    const expected = `sha256=${createHmac('sha256', signingSecret).update(`${timestamp}.${hook.raw}`).digest('hex')}`;
    expect(hook.headers['x-scrubbing-signature']).toBe(expected);
    expect(hook.headers['x-scrubbing-delivery']).toBe(hook.body.id);
    expect(hook.headers['x-scrubbing-event']).toBe('diverted');

    await eventually(
      () => at('/slack').length + at('/pd').length,
      (n) => n >= 2,
      { what: 'Slack and PagerDuty deliveries' },
    );
    expect(at('/slack')[0]!.path).toBe(`/slack/T000/B000/${slackToken}`);
    expect(at('/slack')[0]!.body).toMatchObject({ text: expect.stringContaining('[notify] traffic diverted: Magic Transit (cloudflare); incidents: atk-1') });
    // triggerOn "failure" (the default): a successful diversion resolves any open page for the integration.
    expect(at('/pd')[0]!.body).toEqual({ routing_key: routingKey, event_action: 'resolve', dedup_key: `scrubbing/notify/${integrationId}` });

    expect((await api.call('POST', '/v1/workspaces/notify/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    await eventually(
      () => at('/hook').map((r) => r.body.event),
      (events) => events.includes('withdrawn'),
      { what: 'withdrawn webhook' },
    );
    await eventually(
      () => at('/slack').length,
      (n) => n === 2,
      { what: 'withdrawn Slack message' },
    );
    expect(at('/slack')[1]!.body.text).toContain('[notify] diversion withdrawn: Magic Transit (cloudflare)');
  });
});

test('a failing channel is retried without delaying the diversion or repeating the channels that got it', async () => {
  received.length = 0;
  failing.set('/hook?team=noc', 2);
  await api.withWorker(async () => {
    expect((await api.call('POST', '/v1/workspaces/notify/incidents', { token: detector, body: { id: 'atk-2' } })).status).toBe(202);
    await eventually(advertised, Boolean, { what: 'diverted while the webhook fails' });
    await eventually(
      () => at('/hook').length,
      (n) => n === 1,
      { what: 'webhook delivered on a retry', timeoutMs: 30_000 },
    );
    expect(failing.get('/hook?team=noc')).toBe(0);
    expect(at('/slack')).toHaveLength(1);
    expect(at('/pd')).toHaveLength(1);
  });
});

test('a provider failure pages on PagerDuty with the error class, and the webhook says operation_failed', async () => {
  received.length = 0;
  await api.withWorker(async () => {
    bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', status: 403, times: 1, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] } });
    expect((await api.call('POST', '/v1/workspaces/notify/incidents/atk-2/resolve', { token: detector })).status).toBe(202);
    await eventually(
      () => at('/pd').map((r) => r.body.event_action),
      (actions) => actions.includes('trigger'),
      { what: 'a page' },
    );
    const page = at('/pd').find((r) => r.body.event_action === 'trigger')!.body;
    expect(page).toMatchObject({
      routing_key: routingKey,
      dedup_key: `scrubbing/notify/${integrationId}`,
      payload: {
        source: 'scrubbing-orchestrator',
        severity: 'critical',
        component: 'cloudflare',
        group: 'notify',
        class: 'operation_failed',
        custom_details: { error: { type: 'ProviderAuthError' } },
      },
      links: [{ href: 'http://temporal-ui.test/namespaces/default/workflows/scrubbing-notify', text: 'Temporal history' }],
    });
    expect(page.payload.summary).toContain('[notify] withdraw FAILED: Magic Transit (cloudflare): ProviderAuthError');
    await eventually(
      () => at('/hook').map((r) => r.body.event),
      (events) => events.includes('operation_failed'),
      { what: 'operation_failed webhook' },
    );
    expect(at('/hook').find((r) => r.body.event === 'operation_failed')!.body.error.type).toBe('ProviderAuthError');
  });
  // Replayed (and, with RECORD_HISTORIES=1, recorded as a fixture) when the file ends.
  bed.started.push({ name: 'notifications-through-the-API', handle: bed.env.client.workflow.getHandle('scrubbing-notify') });
});
