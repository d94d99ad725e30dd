/**
 * Provider operations never wait behind anything else (issue P, item 3): notifications,
 * status reads and bookkeeping run on the background task queue with slots of their own.
 * Both workers get only two activity slots here; two workspaces' `diverted` notifications go
 * to a receiver that accepts and never answers, and hold both background slots. A third
 * workspace's attack still diverts while they hang. On one shared queue the hanging
 * notifications would hold both slots and the third diversion would wait for their timeout.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_RECEIVERS } from '../support/api-bed';
import { actualOf, cloudflareIntegration, startIncident, startWorkspace, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { eventually } from '../support/eventually';
import type { DeliverableChannel } from '../../catalog/notifications';
import { incidentResolvedSignal, incidentStartedSignal } from '../../workflows/messages';

const bed = useBed();

test('a diversion does not wait for notifications that hold every background slot', async () => {
  const open = new Set<Socket>();
  let accepted = 0;
  const silent = createServer((socket) => {
    accepted++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
  const channel: DeliverableChannel = { id: 'ch-silent', type: 'webhook', name: 'silent', events: [], settings: { url }, secrets: { signingSecret: 'a-signing-secret-0123' } };
  const notifications = { channels: { loadForDelivery: () => Promise.resolve([channel]) }, pagerDutyUrl: 'http://127.0.0.1:9/pd', temporalUiUrl: 'http://ui', outbound: LOOPBACK_RECEIVERS };
  const taskQueue = uniqueId('tq');
  const workspaces = [0, 1, 2].map(() => {
    const ws = uniqueId('ws');
    const integration = cloudflareIntegration(bed, ws);
    const base = workspaceInput(ws, [integration.config]);
    return { integration, input: { ...base, config: { ...base.config, notifications: true } } };
  });
  try {
    await withWorker(
      bed,
      taskQueue,
      storeOf(...workspaces.map((w) => w.integration)),
      async () => {
        const [first, second, third] = workspaces as [(typeof workspaces)[0], (typeof workspaces)[0], (typeof workspaces)[0]];
        for (const { input, integration } of [first, second]) {
          const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
          await waitForState(handle, (v) => actualOf(v, integration.config.id) === 'active', 'diverted');
        }
        // Both `diverted` notifications are in flight, each holding a background slot.
        await eventually(
          () => accepted,
          (n) => n === 2,
          { what: 'two notifications hanging' },
        );
        const handle = await startIncident(bed, taskQueue, third.input, { incidentId: 'i1' });
        await waitForState(handle, (v) => actualOf(v, third.integration.config.id) === 'active', 'third workspace diverted');
        // Still hanging: the diversion did not wait for them.
        expect({ hanging: open.size, accepted }).toEqual({ hanging: 2, accepted: 2 });
      },
      undefined,
      { notifications },
      { maxConcurrentActivityTaskExecutions: 2 },
    );
  } finally {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('a channel that keeps failing holds at most ten notifications in flight per workspace; the rest wait and are all delivered once it answers', async () => {
  let down = true;
  const delivered = new Set<string>();
  const receiver = createHttpServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (down) return void res.writeHead(503).end('down');
      delivered.add((JSON.parse(raw) as { id: string }).id);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const channel: DeliverableChannel = { id: 'ch-down', type: 'webhook', name: 'down', events: [], settings: { url }, secrets: { signingSecret: 'a-signing-secret-0123' } };
  const notifications = { channels: { loadForDelivery: () => Promise.resolve([channel]) }, pagerDutyUrl: 'http://127.0.0.1:9/pd', temporalUiUrl: 'http://ui', outbound: LOOPBACK_RECEIVERS };
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const integration = cloudflareIntegration(bed, ws);
  const base = workspaceInput(ws, [integration.config]);
  const input = { ...base, config: { ...base.config, notifications: true } };
  const scheduled = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifications.send').length;
  const cycles = 15;
  try {
    await withWorker(
      bed,
      taskQueue,
      storeOf(integration),
      async () => {
        const handle = await startWorkspace(bed, taskQueue, input);
        // Each cycle is two events for the channel (diverted, withdrawn): thirty, while it answers 503.
        for (let i = 0; i < cycles; i++) {
          await handle.signal(incidentStartedSignal, { incidentId: `i${i}` });
          await waitForState(handle, (v) => actualOf(v, integration.config.id) === 'active', `cycle ${i} diverted`);
          await handle.signal(incidentResolvedSignal, { incidentId: `i${i}` });
          await waitForState(handle, (v) => actualOf(v, integration.config.id) === 'inactive', `cycle ${i} withdrawn`);
        }
        // Unbounded, all thirty would be retrying at once.
        expect(await scheduled(handle)).toBe(10);
        down = false;
        await eventually(
          () => delivered.size,
          (n) => n === 2 * cycles,
          { what: 'every event delivered once the channel answers', timeoutMs: 60_000 },
        );
        expect(await scheduled(handle)).toBe(2 * cycles);
      },
      undefined,
      { notifications },
    );
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
}, 120_000);
