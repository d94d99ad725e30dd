/**
 * Tenant-configured outbound destinations (issue S, item 5): every internal form a hostile
 * tenant tried is refused at creation, and at connect time a name that resolves to an
 * internal address is refused before any connection; the operator's allow-list permits
 * chosen receivers; Slack URLs only on Slack's webhook host.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { guardedLookup, guardedRequestOptions } from '../../activities/outbound/connect';
import { outboundPolicyFromEnv, refusedUrl } from '../../activities/outbound/destination';

const STRICT = outboundPolicyFromEnv({});

test.each([
  'https://127.0.0.1/hook',
  'https://127.1/hook',
  'https://2130706433/hook', // decimal
  'https://0x7f000001/hook', // hex
  'https://0x7f.0.0.1/hook',
  'https://0177.0.0.1/hook', // octal
  'https://0/hook',
  'https://0.0.0.0/hook',
  'https://localhost/hook',
  'https://LOCALHOST./hook',
  'https://api.localhost/hook',
  'https://169.254.169.254/latest/meta-data/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://metadata/computeMetadata/v1/',
  'https://10.0.0.1/hook',
  'https://172.16.5.4/hook',
  'https://192.168.1.1/hook',
  'https://100.64.0.1/hook',
  'https://[::1]/hook',
  'https://[::]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://[::ffff:a9fe:a9fe]/hook', // mapped 169.254.169.254
  'https://[64:ff9b::a00:1]/hook', // NAT64 of 10.0.0.1
  'https://[2002:7f00:1::]/hook', // 6to4 of 127.0.0.1
  'https://[fd00::1]/hook',
  'https://[fe80::1]/hook',
  'https://intranet/hook',
  'https://printer.local/hook',
  'https://service.internal/hook',
  'https://user:pass@example.com/hook',
  'http://example.com/hook', // http without the operator's leave
  'ftp://example.com/hook',
])('refused: %s', (url) => {
  expect(refusedUrl(url, 'webhook', STRICT)).toEqual(expect.any(String));
});

test.each(['https://example.com/hook', 'https://203.0.114.9/x', 'https://[2606:4700::1]/hook', 'https://hooks.example.net:8443/a?b=c'])('allowed: %s', (url) => {
  expect(refusedUrl(url, 'webhook', STRICT)).toBeNull();
});

test('Slack URLs only on hooks.slack.com', () => {
  expect(refusedUrl('https://hooks.slack.com/services/T0/B0/x', 'slack', STRICT)).toBeNull();
  expect(refusedUrl('https://example.com/services/T0/B0/x', 'slack', STRICT)).toMatch(/hooks\.slack\.com/);
  expect(refusedUrl('https://hooks.slack.com.evil.example/x', 'slack', STRICT)).toMatch(/hooks\.slack\.com/);
});

test('the operator allow-list permits chosen internal receivers, and http only when allowed', () => {
  const policy = outboundPolicyFromEnv({ OUTBOUND_ALLOW: '10.1.0.0/16, receiver.internal', OUTBOUND_ALLOW_HTTP: 'true' });
  expect(refusedUrl('http://10.1.2.3:8080/hook', 'webhook', policy)).toBeNull();
  expect(refusedUrl('https://receiver.internal/hook', 'webhook', policy)).toBeNull();
  expect(refusedUrl('http://10.2.0.1/hook', 'webhook', policy)).toEqual(expect.any(String));
  expect(refusedUrl('http://receiver.internal/slack', 'slack', policy)).toBeNull();
  expect(() => outboundPolicyFromEnv({ OUTBOUND_ALLOW: 'not a host!' })).toThrow(/OUTBOUND_ALLOW/);
});

describe('at connect time', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  // A public-looking name that resolves (or is rebound) to loopback: refused before connecting.
  const rebinding = ((_host: string, _options: unknown, callback: (err: null, addresses: { address: string; family: number }[]) => void) =>
    callback(null, [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ])) as never;

  test('a name resolving to any internal address is refused, and nothing is sent', async () => {
    const lookup = guardedLookup(STRICT, rebinding);
    const refused = await new Promise<Error | null>((resolve) => lookup('rebind.example', { family: 0 }, (err) => resolve(err)));
    expect(refused?.message).toMatch(/rebind\.example resolves to 127\.0\.0\.1 \(loopback\)/);
    // Through axios with the guarded agents: "localhost" resolves to loopback and is refused.
    await expect(axios.post(`http://localhost:${port}/hook`, '{}', { ...guardedRequestOptions({ ...STRICT, allowHttp: true }), timeout: 2_000 })).rejects.toThrow(/internal destinations/);
    expect(hits).toBe(0);
  });

  test('an allowed receiver is reached', async () => {
    const policy = outboundPolicyFromEnv({ OUTBOUND_ALLOW: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: '1' });
    const answer = await axios.post(`http://localhost:${port}/hook`, '{}', { ...guardedRequestOptions(policy), timeout: 2_000 });
    expect(answer.data).toBe('ok');
    expect(hits).toBe(1);
  });
});

test('the notification senders refuse a stored channel whose URL is internal, without sending (not retried)', async () => {
  const { sendTo } = await import('../../activities/notifications/senders');
  const { DeliveryError } = await import('../../activities/notifications/types');
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const event: import('../../activities/notifications/types').OutgoingEvent = {
    id: 'e1',
    event: 'diverted',
    workspaceId: 'acme',
    workflowId: 'w',
    integration: { id: 'i', type: 'cloudflare' },
    incidents: [],
    at: '2026-12-01T00:00:00Z',
    temporalUrl: 'http://ui',
  };
  try {
    for (const channel of [
      { id: 'w', type: 'webhook', name: 'w', events: [], settings: { url }, secrets: { signingSecret: 'x'.repeat(16) } },
      { id: 's', type: 'slack', name: 's', events: [], settings: {}, secrets: { webhookUrl: url } },
    ] as const) {
      const refused = await sendTo({ ...channel, events: [], settings: { ...channel.settings }, secrets: { ...channel.secrets } }, event, {
        pagerDutyUrl: 'http://127.0.0.1:9',
        outbound: STRICT,
      }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(DeliveryError);
      expect(refused).toMatchObject({ retryable: false, message: expect.stringMatching(/destination refused/) });
    }
    expect(hits).toBe(0);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
