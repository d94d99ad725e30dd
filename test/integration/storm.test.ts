/**
 * A storm through the API: 200 workspaces, each with several incidents that start and resolve
 * in random order, with duplicates and resolves that overtake their start. At the end each
 * workspace's state equals the state the pure decision module computes from the events its
 * workflow received (its history), and the provider holds exactly what that state says.
 */
import { randomBytes } from 'node:crypto';
import { decide, initialState, type WorkspaceEvent } from '../../workflows/decide';
import { stateQuery, workspaceWorkflowId, type IncidentReport, type IncidentReportBatch } from '../../workflows/messages';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, advertisements, useBed } from '../support/bed';
import { eventually } from '../support/eventually';

const WORKSPACES = 200;
const bed = useBed();
let api: ApiBed;
beforeAll(async () => {
  api = await startApi(bed);
});
afterAll(() => api?.close());

/** A deterministic pseudo-random generator, so a failing storm can be replayed from its seed. */
function generator(seed: number) {
  let x = seed >>> 0 || 1;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

test(`${WORKSPACES} workspaces under a storm of unordered, duplicated incidents end in the state their event log implies`, async () => {
  const seed = Number(process.env.STORM_SEED ?? Date.now() % 100_000);
  const random = generator(seed);
  const hex = () => randomBytes(16).toString('hex');
  const workspaces = Array.from({ length: WORKSPACES }, (_, i) => ({ id: `storm-${i}`, key: '', bgp: '', account: '', prefix: '' }));

  await inBatches(workspaces, 20, async (ws) => {
    const created = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws.id, name: ws.id, holdDownSeconds: 0 } });
    ws.key = created.body.ownerKey.key;
    Object.assign(ws, { account: hex(), prefix: hex(), bgp: hex() });
    bed.sim.cloudflare.seed({ accountId: ws.account, prefixId: ws.prefix, bgpPrefixId: ws.bgp, token: `t-${ws.id}`, cidr: '192.0.2.0/24' });
    const integration = await api.call('POST', `/v1/workspaces/${ws.id}/integrations`, {
      token: ws.key,
      body: { type: 'cloudflare', name: 'cf', ...NO_PROVIDER_WINDOWS, settings: { accountId: ws.account, prefixId: ws.prefix, bgpPrefixId: ws.bgp }, credentials: { apiToken: `t-${ws.id}` } },
    });
    expect(integration.status).toBe(201);
  });

  // Per workspace: 2–4 incidents, each started and resolved, some twice, all shuffled.
  const calls = workspaces.flatMap((ws) => {
    const ops: { ws: typeof ws; kind: 'start' | 'resolve'; id: string }[] = [];
    const incidents = 2 + Math.floor(random() * 3);
    for (let i = 0; i < incidents; i++) {
      ops.push({ ws, kind: 'start', id: `i${i}` }, { ws, kind: 'resolve', id: `i${i}` });
      if (random() < 0.5) ops.push({ ws, kind: 'start', id: `i${i}` });
      if (random() < 0.3) ops.push({ ws, kind: 'resolve', id: `i${i}` });
    }
    return ops;
  });
  for (let i = calls.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [calls[i], calls[j]] = [calls[j]!, calls[i]!];
  }

  await api.withWorker(async () => {
    await inBatches(calls, 25, async ({ ws, kind, id }) => {
      const answer =
        kind === 'start'
          ? await api.call('POST', `/v1/workspaces/${ws.id}/incidents`, { token: ws.key, body: { id } })
          : await api.call('POST', `/v1/workspaces/${ws.id}/incidents/${id}/resolve`, { token: ws.key });
      expect(answer.status).toBe(202);
    });

    const mismatches: string[] = [];
    await inBatches(workspaces, 20, async (ws) => {
      const handle = bed.env.client.workflow.getHandle(workspaceWorkflowId(ws.id));
      // The event log: the signals as the workflow received them, in history order.
      const history = await handle.fetchHistory();
      let expected = decide(initialState(ws.id), { type: 'configChanged', now: 0, config: { version: 0, holdDownSeconds: 0, integrations: [] } }).state;
      for (const event of history.events ?? []) {
        const signal = event.workflowExecutionSignaledEventAttributes;
        if (!signal?.signalName?.startsWith('incident')) continue;
        const payload = JSON.parse(Buffer.from(signal.input?.payloads?.[0]?.data ?? []).toString()) as { incidentId: string } & IncidentReportBatch;
        // A lone report is its own signal; those that arrived while a signal was in flight come as one batch.
        const reports: IncidentReport[] = signal.signalName === 'incidentReports' ? payload.reports : [{ kind: signal.signalName === 'incidentStarted' ? 'started' : 'resolved', payload }];
        for (const report of reports) {
          const next: WorkspaceEvent =
            report.kind === 'started' ? { type: 'incidentStarted', now: 1, incident: report.payload } : { type: 'incidentResolved', now: 1, incidentId: report.payload.incidentId };
          expected = decide(expected, next).state;
        }
      }
      const expectedIncidents = Object.keys(expected.incidents).sort();
      const wantDiverted = expectedIncidents.length > 0;
      try {
        const view = await eventually(
          () => handle.query(stateQuery),
          (v) => v.integrations[0]?.actual === (wantDiverted ? 'active' : 'inactive'),
          { what: `${ws.id} settled`, timeoutMs: 60_000 },
        );
        const actualIncidents = view.activeIncidents.map((i) => i.incidentId).sort();
        if (JSON.stringify(actualIncidents) !== JSON.stringify(expectedIncidents)) mismatches.push(`${ws.id}: ${actualIncidents.join(',')} != ${expectedIncidents.join(',')}`);
      } catch (err) {
        mismatches.push(String(err));
      }
      const held = bed.sim.cloudflare.bgpPrefix(ws.account, ws.prefix, ws.bgp)?.on_demand.advertised === true;
      if (held !== wantDiverted) mismatches.push(`${ws.id}: provider advertised=${held}, expected ${wantDiverted}`);
      // No conflicting sequence: advertise and withdraw alternate, starting with an advertise.
      const sequence = advertisements(bed, ws.bgp);
      if (sequence.some((advertised, i) => advertised !== (i % 2 === 0))) mismatches.push(`${ws.id}: provider saw ${JSON.stringify(sequence)}`);
    });
    expect({ seed, mismatches }).toEqual({ seed, mismatches: [] });
  });
}, 600_000);
