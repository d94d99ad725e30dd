/**
 * Detector vendors' payloads as they publish them (test/fixtures/detectors/<vendor>.json names
 * each page; `derived` examples change only the documented lifecycle field), mapped to incident
 * events, and each vendor's proof checked: right secret, wrong secret, missing proof.
 *   FastNetMon Advanced: fastnetmon.com/docs-fnm-advanced/fastnetmon-json-formats/
 *   Flowtriq: flowtriq.com/docs?section=webhooks
 *   Kentik: github.com/kentik/custom-notification-templates docs/TEMPLATING_REFERENCE.md
 *   Cloudflare: github.com/cloudflare/cloudflare-docs notifications/reference/webhook-payload-schema.mdx
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTOR_VENDORS, hmacSha256Hex, type DeliveryProof, type Reading } from '../../api/detectors';
import { incidentIdOf } from '../../api/routes/ingest';

type Fixture = { source: string; examples: Record<string, { derived: boolean; payload: Record<string, unknown> }> };
const fixture = (vendor: string): Fixture => JSON.parse(readFileSync(join(__dirname, '../fixtures/detectors', `${vendor}.json`), 'utf8')) as Fixture;
const example = (vendor: string, name: string) => structuredClone(fixture(vendor).examples[name]!.payload);
const eventOf = (reading: Reading) => {
  if (reading.kind !== 'event') throw new Error(`expected an event, got: ${reading.reason}`);
  return reading.event;
};
const SECRET = 'a-secret-of-the-source-0123456789';
const proof = (body: unknown, extra: Partial<DeliveryProof> = {}): DeliveryProof => ({ headers: {}, rawBody: Buffer.from(JSON.stringify(body)), ...extra });

describe('FastNetMon Advanced', () => {
  const vendor = DETECTOR_VENDORS.fastnetmon;

  test('the published ban is an outgoing attack: acknowledged, no incident, unless the source counts outgoing attacks', () => {
    const ban = example('fastnetmon', 'start');
    expect(vendor.read(ban, {})).toEqual({ kind: 'ignored', reason: expect.stringContaining('outgoing') });
    expect(eventOf(vendor.read(ban, { directions: ['incoming', 'outgoing'] }))).toEqual({
      phase: 'start',
      externalId: '041eb504-2b33-4ff7-a6b7-8235408d5062',
      target: '127.0.0.1',
      severity: 'middle',
      peakBps: 15253590 * 8, // bytes per second, outgoing
      peakPps: 282473,
    });
  });

  test('an incoming ban starts and its unban ends the same attack, with the incoming counters in bits per second', () => {
    const ban = example('fastnetmon', 'start');
    const unban = example('fastnetmon', 'end');
    for (const payload of [ban, unban]) (payload.attack_details as Record<string, unknown>).attack_direction = 'incoming';
    const start = eventOf(vendor.read(ban, {}));
    const end = eventOf(vendor.read(unban, {}));
    expect(start).toMatchObject({ phase: 'start', target: '127.0.0.1', peakBps: 15253500 * 8, peakPps: 282472 });
    expect(end.phase).toBe('end');
    expect(incidentIdOf('fastnetmon', end.externalId)).toBe(incidentIdOf('fastnetmon', start.externalId));
  });

  test('hostgroups: only alerts of the listed groups count', () => {
    const ban: Record<string, unknown> = { ...example('fastnetmon', 'start'), hostgroup_name: 'customers' };
    (ban.attack_details as Record<string, unknown>).attack_direction = 'incoming';
    expect(vendor.read(ban, { hostgroups: ['customers'] }).kind).toBe('event');
    expect(vendor.read(ban, { hostgroups: ['core'] })).toEqual({ kind: 'ignored', reason: expect.stringContaining('hostgroup customers') });
    // The published ban is a per-host alert (alert_scope host).
    expect(vendor.read(ban, { alertScopes: ['hostgroup'] })).toEqual({ kind: 'ignored', reason: expect.stringContaining('alert scope host') });
    expect(vendor.read(ban, { alertScopes: ['host', 'hostgroup'] }).kind).toBe('event');
  });

  test('partial_block and unknown actions are acknowledged, never incidents', () => {
    expect(vendor.read({ ...example('fastnetmon', 'start'), action: 'partial_block' }, {}).kind).toBe('ignored');
    expect(vendor.read('not an object', {}).kind).toBe('ignored');
  });

  test('the proof is the secret in the URL, compared whole', () => {
    const body = example('fastnetmon', 'start');
    expect(vendor.verify(proof(body, { urlToken: SECRET }), SECRET)).toBe(true);
    expect(vendor.verify(proof(body, { urlToken: `${SECRET}x` }), SECRET)).toBe(false);
    expect(vendor.verify(proof(body, { urlToken: SECRET.slice(0, -1) }), SECRET)).toBe(false);
    expect(vendor.verify(proof(body), SECRET)).toBe(false);
  });
});

describe('Flowtriq', () => {
  const vendor = DETECTOR_VENDORS.flowtriq;

  test('the published attack_start: the incident uuid, the node as target, peaks in bits and packets per second', () => {
    expect(eventOf(vendor.read(example('flowtriq', 'start'), {}))).toEqual({
      phase: 'start',
      externalId: 'd4e5f6a7-b8c9-...',
      target: '203.0.113.10',
      severity: 'critical',
      peakBps: 1547000000,
      peakPps: 2450000,
      startedAt: '2025-03-10T14:22:00.000Z',
    });
    expect(eventOf(vendor.read(example('flowtriq', 'end'), {}))).toMatchObject({ phase: 'end', externalId: 'd4e5f6a7-b8c9-...' });
  });

  test('an id that is not a plain token becomes a hash, the same for the start and its end', () => {
    const id = incidentIdOf('flowtriq', 'd4e5f6a7-b8c9-...');
    expect(id).toMatch(/^flowtriq:[\w.:@-]+$/);
    expect(incidentIdOf('flowtriq', 'attack 1/2')).toMatch(/^flowtriq:[0-9a-f]{32}$/);
  });

  test('test and unknown event types are acknowledged', () => {
    expect(vendor.read({ event_type: 'test' }, {})).toEqual({ kind: 'ignored', reason: 'test event' });
    expect(vendor.read({ ...example('flowtriq', 'start'), event_type: 'node_offline' }, {}).kind).toBe('ignored');
  });

  test('the proof is X-Flowtriq-Signature: sha256=<hex HMAC of the raw body>; the send time is the signed timestamp', () => {
    const body = example('flowtriq', 'start');
    const rawBody = Buffer.from(JSON.stringify(body));
    const signature = `sha256=${hmacSha256Hex(SECRET, rawBody)}`;
    expect(vendor.verify({ headers: { 'x-flowtriq-signature': signature }, rawBody }, SECRET)).toBe(true);
    expect(vendor.verify({ headers: { 'x-flowtriq-signature': signature }, rawBody: Buffer.from(JSON.stringify({ ...body, event_type: 'attack_end' })) }, SECRET)).toBe(false);
    expect(vendor.verify({ headers: { 'x-flowtriq-signature': `sha256=${hmacSha256Hex('another secret', rawBody)}` }, rawBody }, SECRET)).toBe(false);
    expect(vendor.verify({ headers: {}, rawBody }, SECRET)).toBe(false);
    expect(vendor.sentAt?.(body)).toBe(Date.parse('2025-03-10T14:22:00Z'));
  });
});

describe('Kentik', () => {
  const vendor = DETECTOR_VENDORS.kentik;

  test('the published alarm starts and its clear ends the alarm: AlarmID, IP_dst, Metrics bits and packets', () => {
    expect(eventOf(vendor.read(example('kentik', 'start'), {}))).toEqual({
      phase: 'start',
      externalId: '0190db1d-5d37-70a8-95bd-4092c918ecbe',
      target: '209.50.158.100',
      severity: 'critical',
      peakBps: 58556,
      peakPps: 1333271,
      startedAt: '2021-11-19T13:39:33.000Z',
    });
    expect(eventOf(vendor.read(example('kentik', 'end'), {}))).toMatchObject({ phase: 'end', externalId: '0190db1d-5d37-70a8-95bd-4092c918ecbe' });
  });

  test('a numeric AlarmID and the "YYYY-MM-DD hh:mm:ss UTC" start time of real notifications are read too', () => {
    const event = eventOf(vendor.read({ ...example('kentik', 'start'), AlarmID: 395396836, StartTime: '2024-05-29 03:07:57 UTC' }, {}));
    expect(event.externalId).toBe('395396836');
  });

  test('other states are acknowledged', () => {
    expect(vendor.read({ ...example('kentik', 'start'), CurrentState: 'ackNotReq' }, {}).kind).toBe('ignored');
  });
});

describe('Cloudflare', () => {
  const vendor = DETECTOR_VENDORS.cloudflare;

  test('the published L4 START: alert_correlation_id; its placeholder target "string" is no address (every integration is triggered)', () => {
    expect(eventOf(vendor.read(example('cloudflare', 'start'), {}))).toEqual({
      phase: 'start',
      externalId: '000eaa907ed24e78946d3a93adb2ae57',
      peakBps: 0,
      peakPps: 0,
      startedAt: '2006-01-02T15:04:05.000Z',
    });
    expect(eventOf(vendor.read(example('cloudflare', 'end'), {}))).toMatchObject({ phase: 'end', externalId: '000eaa907ed24e78946d3a93adb2ae57' });
  });

  test('a real target and rates: megabits become bits per second', () => {
    const start = example('cloudflare', 'start');
    Object.assign(start.data as Record<string, unknown>, { target_ip: '192.0.2.10', megabits_per_second: 950, packets_per_second: 1200000 });
    expect(eventOf(vendor.read(start, {}))).toMatchObject({ target: '192.0.2.10', peakBps: 950_000_000, peakPps: 1_200_000 });
  });

  test('the published "Save and Test" message and other alert types are acknowledged', () => {
    expect(vendor.read(example('cloudflare', 'test'), {})).toEqual({ kind: 'ignored', reason: 'test message' });
    expect(vendor.read({ ...example('cloudflare', 'start'), alert_type: 'billing_usage_alert' }, {}).kind).toBe('ignored');
  });

  test('the L7 alert has a hostname, no target address', () => {
    expect(eventOf(vendor.read(example('cloudflare', 'start_l7'), {})).target).toBeUndefined();
  });

  test('the proof is the secret verbatim in cf-webhook-auth; the send time is ts in seconds', () => {
    const body = example('cloudflare', 'start');
    expect(vendor.verify(proof(body, { headers: { 'cf-webhook-auth': SECRET } }), SECRET)).toBe(true);
    expect(vendor.verify(proof(body, { headers: { 'cf-webhook-auth': 'wrong' } }), SECRET)).toBe(false);
    expect(vendor.verify(proof(body), SECRET)).toBe(false);
    expect(vendor.sentAt?.(body)).toBe(1136214245 * 1000);
  });
});

describe('generic', () => {
  const vendor = DETECTOR_VENDORS.generic;

  test('start, update and end of our own format', () => {
    expect(eventOf(vendor.read({ event: 'start', id: 'a1', target: '198.51.100.7', peakPps: 5000 }, {}))).toEqual({ phase: 'start', externalId: 'a1', target: '198.51.100.7', peakPps: 5000 });
    expect(eventOf(vendor.read({ event: 'end', id: 'a1' }, {}))).toEqual({ phase: 'end', externalId: 'a1' });
    expect(vendor.read({ event: 'flap', id: 'a1' }, {}).kind).toBe('ignored');
    expect(vendor.read({ event: 'start' }, {})).toEqual({ kind: 'ignored', reason: 'no id' });
  });
});

test('each vendor module is registered under its own type', () => {
  expect(Object.entries(DETECTOR_VENDORS).map(([type, vendor]) => [type, vendor.type])).toEqual(Object.keys(DETECTOR_VENDORS).map((type) => [type, type]));
});
