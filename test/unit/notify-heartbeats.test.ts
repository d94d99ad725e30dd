/**
 * The notification activity records the channels it served in its heartbeat, so a retry skips
 * them, and heartbeats only when that records something new: an attempt whose only channel fails
 * (a receiver that never answers, or 503) sends none, nor does the last channel of an attempt
 * that succeeds. Each heartbeat is a call Temporal writes down; before, every attempt sent one
 * per channel. A channel's failure is logged once, naming the channel, and the activity fails as
 * benign, so the SDK does not log it again with a stack trace on every attempt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, type LogLevel, type LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotifyActivity } from '../../activities/notifications';
import { outboundPolicyFromEnv } from '../../activities/outbound/destination';
import type { DeliverableChannel, NotificationEvent } from '../../catalog/notifications';

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(req.url?.startsWith('/busy') ? 503 : 200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (hits.length = 0));

const channel = (id: string, path: string): DeliverableChannel => ({
  id,
  type: 'webhook',
  name: id,
  events: [],
  settings: { url: `${base}${path}` },
  secrets: { signingSecret: 'a-signing-secret-0123' },
});

const event: NotificationEvent = {
  id: 'wf/run/1',
  event: 'diverted',
  workspaceId: 'ws-1',
  workflowId: 'wf',
  integration: { id: 'int-1', type: 'cloudflare' },
  incidents: ['inc-1'],
  at: new Date(0).toISOString(),
  operation: 'activate',
};

/** Runs one attempt over the channels, with the details a previous attempt left; gives the heartbeats and the outcome. */
async function attempt(channels: DeliverableChannel[], heartbeatDetails?: string[]) {
  const notify = createNotifyActivity({
    channels: { loadForDelivery: () => Promise.resolve(channels) },
    pagerDutyUrl: `${base}/pd`,
    temporalUiUrl: 'http://ui',
    outbound: outboundPolicyFromEnv({ OUTBOUND_ALLOW: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' }),
  });
  const logged: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const log = (level: LogLevel) => (message: string, meta?: LogMetadata) => void logged.push({ level, message, ...(meta ? { meta } : {}) });
  const logger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => log(level)(message, meta),
    trace: log('TRACE'),
    debug: log('DEBUG'),
    info: log('INFO'),
    warn: log('WARN'),
    error: log('ERROR'),
  };
  const env = new MockActivityEnvironment(heartbeatDetails ? { heartbeatDetails, attempt: 2 } : {}, { logger });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  let failure: unknown;
  const outcome = await env.run(notify, event).then(
    (report) => ({ report }),
    (err: Error) => ((failure = err), { error: err.message }),
  );
  return { heartbeats, outcome, failure, warnings: logged.filter((line) => line.level === 'WARN') };
}

test('an attempt whose only channel fails sends no heartbeat, and is retried', async () => {
  const { heartbeats, outcome } = await attempt([channel('down', '/busy')]);
  expect(outcome).toEqual({ error: expect.stringContaining('notification not delivered: webhook channel down: HTTP 503') });
  expect(hits).toEqual(['/busy']);
  expect(heartbeats).toEqual([]);
});

test('a failing channel is logged once by name, and the activity fails as benign and retryable', async () => {
  const { failure, warnings } = await attempt([channel('a', '/a'), channel('down', '/busy')]);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'NotificationDeliveryFailed', nonRetryable: false, category: 'BENIGN' });
  expect(warnings).toEqual([{ level: 'WARN', message: 'notification not delivered', meta: expect.objectContaining({ channel: 'down', type: 'webhook', error: 'HTTP 503', attempt: 1 }) }]);
});

test('an attempt that serves every channel heartbeats only while channels remain', async () => {
  expect(await attempt([channel('one', '/one')])).toMatchObject({ heartbeats: [], outcome: { report: { delivered: 1, refused: 0 } }, warnings: [] });
  expect(await attempt([channel('a', '/a'), channel('b', '/b')])).toMatchObject({ heartbeats: [['a']], outcome: { report: { delivered: 2, refused: 0 } }, warnings: [] });
});

test('a failing attempt records every channel it served, the last one too, and its retry skips them', async () => {
  const channels = [channel('a', '/a'), channel('b', '/busy-b'), channel('c', '/c')];
  const first = await attempt(channels);
  expect(first.outcome).toEqual({ error: expect.stringContaining('webhook channel b: HTTP 503') });
  // After a (channels remain); none after b's failure; then before the retry, with c.
  expect(first.heartbeats).toEqual([['a'], ['a', 'c']]);

  hits.length = 0;
  const retry = await attempt(channels, ['a', 'c']);
  expect(hits).toEqual(['/busy-b']);
  expect(retry.warnings).toEqual([expect.objectContaining({ meta: expect.objectContaining({ channel: 'b', attempt: 2 }) })]);
  // Still failing: the channels served before are recorded again, so the next retry still skips them.
  expect(retry.heartbeats).toEqual([['a', 'c']]);
});
