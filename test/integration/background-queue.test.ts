/**
 * Provider operations never wait behind anything else (issue P, item 3): notifications,
 * status reads and bookkeeping run on the background task queue with slots of their own.
 * Both workers get only two activity slots here; two workspaces' `diverted` notifications go
 * to a receiver that accepts and never answers, and hold both background slots. A third
 * workspace's attack still diverts while they hang. On one shared queue the hanging
 * notifications would hold both slots and the third diversion would wait for their timeout.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_RECEIVERS } from '../support/api-bed';
import { actualOf, cloudflareIntegration, startIncident, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { eventually } from '../support/eventually';
import type { DeliverableChannel } from '../../catalog/notifications';

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
