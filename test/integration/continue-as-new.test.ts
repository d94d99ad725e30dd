/**
 * Bounded history on a real Temporal server: continue-as-new (forced at a low
 * event count) carries the full state, loses no signal sent across the
 * boundary, finishes in-flight updates first, and keeps pending hold-downs.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { actualOf, advertisements, cloudflareIntegration, startIncident, startWorkspace, storeOf, uniqueId, useBed, queryState, waitForState, withWorker, workspaceInput } from '../support/bed';
import { LOOPBACK_RECEIVERS } from '../support/api-bed';
import { eventually } from '../support/eventually';
import { LEGACY_WORKFLOW_TYPE, WORKFLOW_TYPE, activateUpdate, incidentResolvedSignal, incidentStartedSignal, workspaceWorkflowId } from '../../workflows/messages';
import { TAKEN_BY_V2 } from '../../workflows/patches';
import type { DeliverableChannel } from '../../catalog/notifications';

const bed = useBed();

async function runCount(handle: WorkflowHandle): Promise<number> {
  let count = 0;
  let runId: string | undefined = (await handle.describe()).runId;
  while (runId) {
    count++;
    const history = await bed.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return count;
}

/**
 * Sends one signal at a time until the workflow continues as new (at most `max`; signals buffered
 * into one workflow task would add few events), then waits for the new run.
 */
async function signalUntilContinued(handle: WorkflowHandle, max: number, send: (i: number) => Promise<void>, what = 'continued as new'): Promise<void> {
  const before = await runCount(handle);
  for (let i = 0; i < max && (await runCount(handle)) === before; i++) await send(i);
  await eventually(
    () => runCount(handle),
    (n) => n > before,
    { what },
  );
}

test('state, signals across the boundary and in-flight updates survive continue-as-new', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const auto = cloudflareIntegration(bed, ws);
  const manualOnly = cloudflareIntegration(bed, ws, { autoDivert: false });
  const input = workspaceInput(ws, [auto.config, manualOnly.config], { holdDownSeconds: 3, continueAsNewAfterEvents: 40 });
  await withWorker(bed, taskQueue, storeOf(auto, manualOnly), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'first' });
    await waitForState(handle, (v) => actualOf(v, auto.config.id) === 'active', 'diverted');

    // A burst of starts and resolves, with a manual update in flight (its provider call takes 1 s) across it.
    bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', pathIncludes: manualOnly.bgpPrefixId, delayMs: 1000 });
    const ids = Array.from({ length: 30 }, (_, i) => `wave-${i}`);
    const update = handle.executeUpdate(activateUpdate, { args: [{ integrationId: manualOnly.config.id }] });
    await Promise.all(ids.map((incidentId) => handle.signal(incidentStartedSignal, { incidentId })));
    await Promise.all(ids.slice(0, 15).map((incidentId) => handle.signal(incidentResolvedSignal, { incidentId })));
    await expect(update).resolves.toMatchObject({ actual: 'active', manual: 'activate' });

    const expected = ['first', ...ids.slice(15)].sort();
    const view = await waitForState(handle, (v) => v.activeIncidents.length === expected.length, 'all signals applied');
    expect(view.activeIncidents.map((i) => i.incidentId).sort()).toEqual(expected);
    // The workflow continues as new once its in-flight work (update, audit records) is done.
    await eventually(
      () => runCount(handle),
      (n) => n > 1,
      { what: 'continued as new' },
    );
    // Late duplicates of resolved incidents are still recognised after the boundary.
    await handle.signal(incidentStartedSignal, { incidentId: 'wave-0' });
    const afterDuplicate = await waitForState(handle, (v) => v.activeIncidents.length === expected.length, 'duplicate ignored');
    expect(afterDuplicate.activeIncidents.map((i) => i.incidentId)).not.toContain('wave-0');
    // One diversion for the whole burst.
    expect(advertisements(bed, auto.bgpPrefixId)).toEqual([true]);
  });
});

test('a pending hold-down survives continue-as-new and still fires', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const input = workspaceInput(ws, [a.config], { holdDownSeconds: 8, continueAsNewAfterEvents: 30 });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    const holding = await waitForState(handle, (v) => v.pendingHoldDowns.length === 1, 'hold-down pending');
    // Harmless duplicate resolves grow the history until the workflow continues as new.
    await signalUntilContinued(handle, 40, () => handle.signal(incidentResolvedSignal, { incidentId: 'i1' }));
    // Queried from the new run: the deadline came along unchanged.
    const carried = await queryState(handle);
    expect(carried.pendingHoldDowns).toEqual(holding.pendingHoldDowns);
    expect(actualOf(carried, a.config.id)).toBe('active');

    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn by the carried hold-down');
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false]);
  });
});

test('long life: many incident cycles across several continue-as-new runs keep state, memory of resolved incidents and hold-downs', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const base = workspaceInput(ws, [a.config], { holdDownSeconds: 1, continueAsNewAfterEvents: 30 });
  // Flap damping off: every cycle gets the base hold-down (damping has its own tests).
  const input = { ...base, config: { ...base.config, policy: { maxHoldDownSeconds: 0 } } };
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'cycle-0' });
    for (let cycle = 0; cycle < 8; cycle++) {
      if (cycle > 0) await handle.signal(incidentStartedSignal, { incidentId: `cycle-${cycle}` });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', `cycle ${cycle} diverted`);
      await handle.signal(incidentResolvedSignal, { incidentId: `cycle-${cycle}` });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', `cycle ${cycle} withdrawn after its hold-down`);
    }
    expect(await runCount(handle)).toBeGreaterThanOrEqual(3);
    // Every resolved incident is still remembered: late duplicates of all eight are ignored.
    for (let cycle = 0; cycle < 8; cycle++) await handle.signal(incidentStartedSignal, { incidentId: `cycle-${cycle}` });
    // Signals apply in order: once this one shows, every duplicate before it was processed.
    await handle.signal(incidentStartedSignal, { incidentId: 'final' });
    const after = await waitForState(handle, (v) => v.activeIncidents.some((i) => i.incidentId === 'final'), 'final incident recorded');
    expect(after.activeIncidents.map((i) => i.incidentId)).toEqual(['final']);
    expect(advertisements(bed, a.bgpPrefixId).slice(0, 16)).toEqual(Array.from({ length: 8 }, () => [true, false]).flat());
  });
}, 120_000);

test('a notification channel that keeps failing does not hold continue-as-new back: the undelivered event is carried and sent again', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  // A webhook nobody answers: the `diverted` event is retried (2 s, doubling) for minutes.
  const down: DeliverableChannel = { id: 'ch-down', type: 'webhook', name: 'down', events: [], settings: { url: 'http://127.0.0.1:9/hook' }, secrets: { signingSecret: 'not-a-real-signing-secret' } };
  const notifications = { channels: { loadForDelivery: () => Promise.resolve([down]) }, pagerDutyUrl: 'http://127.0.0.1:9/pd', temporalUiUrl: 'http://temporal-ui.test', outbound: LOOPBACK_RECEIVERS };
  const base = workspaceInput(ws, [a.config], { holdDownSeconds: 0, continueAsNewAfterEvents: 30 });
  const input = { ...base, config: { ...base.config, notifications: true } };
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
      const firstRun = (await handle.describe()).runId;
      // Each signal adds a few events; the delivery never finishes, so there is no quiet moment.
      await signalUntilContinued(handle, 80, (i) => handle.signal(incidentResolvedSignal, { incidentId: `unrelated-${i}` }), 'continued as new despite the failing channel');
      const carried = await queryState(handle);
      expect(actualOf(carried, a.config.id)).toBe('active');
      expect(carried.activeIncidents.map((i) => i.incidentId)).toEqual(['i1']);
      // The next run sends the undelivered event again, under its original id (receivers drop repeats by it).
      const next = await eventually(
        () => handle.fetchHistory(),
        (h) => (h.events ?? []).some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifications.send'),
        { what: 'the carried notification scheduled in the next run' },
      );
      const sent = (next.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((s) => s?.activityType?.name === 'notifications.send')
        .map((s) => JSON.parse(Buffer.from(s!.input!.payloads![0]!.data!).toString()) as { id: string; event: string });
      expect(sent).toContainEqual(expect.objectContaining({ id: `${workspaceWorkflowId(ws)}/${firstRun}/1`, event: 'diverted' }));
    },
    undefined,
    { notifications },
  );
});

test('a run begun before V2 (workspaceScrubbing) keeps its patches and continues as new into workspaceScrubbingV2, state and diversion carried', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const input = workspaceInput(ws, [a.config], { holdDownSeconds: 0, continueAsNewAfterEvents: 60 });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startWorkspace(bed, taskQueue, input, LEGACY_WORKFLOW_TYPE);
    const firstRun = (await handle.describe()).runId;
    await handle.signal(incidentStartedSignal, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    expect(await runCount(handle)).toBe(1);
    // Harmless duplicate starts grow the history until the run continues as new.
    await signalUntilContinued(handle, 40, () => handle.signal(incidentStartedSignal, { incidentId: 'i1' }));
    const markers = async (runId: string) =>
      ((await bed.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;
    // The legacy run asked its patches (one marker each); the V2 run asks none.
    expect(await markers(firstRun)).toBe(TAKEN_BY_V2.length);
    const next = await handle.describe();
    expect(next.type).toBe(WORKFLOW_TYPE);
    const carried = await queryState(handle);
    expect(actualOf(carried, a.config.id)).toBe('active');
    expect(carried.activeIncidents.map((i) => i.incidentId)).toEqual(['i1']);

    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn by the V2 run');
    expect(await markers(next.runId)).toBe(0);
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false]);
  });
});
