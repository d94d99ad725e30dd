/**
 * Carpet bombing on a real Temporal server (issue S, item 1): one workspace receives
 * incidents for 20,000 distinct targets of a /16, delivered as the API delivers them (the
 * scrubbing service's signal lanes: reports that arrive while a signal is in flight go together
 * in the next). The workflow keeps answering its state query, applies manual actions, continues
 * as new in the middle of the flood, diverts only the integration whose prefix is hit, refuses
 * starts beyond its cap, and withdraws once the last target resolved. It prints the longest
 * workflow task and the largest carried state it saw (figures for the README).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { actualOf, advertisements, cloudflareIntegration, queryState, startIncident, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { eventually } from '../support/eventually';
import { createScrubbingService } from '../../api/scrubbing-service';
import { MAX_ACTIVE_INCIDENTS } from '../../workflows/state';
import { activateUpdate, withdrawUpdate } from '../../workflows/messages';

const bed = useBed();
const TARGETS = Number(process.env.CB_TARGETS ?? MAX_ACTIVE_INCIDENTS);

/** A detector at full speed: `size` reports handed over at once, the next ones when those are in. */
async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Every run of the workflow, newest first, with its history. */
async function histories(handle: WorkflowHandle) {
  const runs = [];
  let runId: string | undefined = (await handle.describe()).runId;
  while (runId) {
    const history = await bed.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

test(`a carpet bomb of ${TARGETS} targets: state query, manual actions, continue-as-new, one divert and one withdraw`, async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const hit = cloudflareIntegration(bed, ws, { cidr: '10.20.0.0/16', scope: ['10.20.0.0/16'] });
  const spared = cloudflareIntegration(bed, ws, { cidr: '10.99.0.0/16', scope: ['10.99.0.0/16'] });
  const input = workspaceInput(ws, [hit.config, spared.config], { continueAsNewAfterEvents: 150 });
  const targets = Array.from({ length: TARGETS }, (_, i) => ({ incidentId: `cb-${i}`, target: `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  const scrubbing = createScrubbingService({ client: bed.env.client, taskQueue, manualActionTimeoutMs: 30_000, directory: { configOf: () => Promise.resolve(input.config) } });
  const started = (incident: (typeof targets)[number]) => scrubbing.deliverReport(ws, { kind: 'started', payload: incident });
  const resolved = (incident: (typeof targets)[number]) => scrubbing.deliverReport(ws, { kind: 'resolved', payload: { incidentId: incident.incidentId } });
  await withWorker(bed, taskQueue, storeOf(hit, spared), async () => {
    const handle = await startIncident(bed, taskQueue, input, targets[0]!);
    // The state query answers in the middle of the flood.
    const half = Math.floor(TARGETS / 2);
    const [, during] = await Promise.all([inBatches(targets.slice(1, half), 1_000, started), queryState(handle)]);
    expect(during.activeIncidentCount).toBeLessThan(half);
    await inBatches(targets.slice(half), 1_000, started);
    const flooded = await waitForState(handle, (v) => v.activeIncidentCount === TARGETS && actualOf(v, hit.config.id) === 'active', 'every target recorded', 120_000);
    expect(flooded.activeIncidents).toHaveLength(100); // listed; counted in full
    expect(actualOf(flooded, spared.config.id)).toBe('inactive');

    // Manual actions still apply in the middle of it.
    await expect(handle.executeUpdate(activateUpdate, { args: [{ integrationId: spared.config.id }] })).resolves.toMatchObject({ actual: 'active' });
    await expect(handle.executeUpdate(withdrawUpdate, { args: [{ integrationId: spared.config.id }] })).resolves.toMatchObject({ actual: 'inactive' });

    // At the cap, one more start is refused (and counted), not kept.
    if (TARGETS >= MAX_ACTIVE_INCIDENTS) {
      await started({ incidentId: 'one-too-many', target: '10.99.0.1' });
      const full = await waitForState(handle, (v) => v.refusedIncidents === 1, 'the start beyond the cap refused');
      expect(full.activeIncidentCount).toBe(MAX_ACTIVE_INCIDENTS);
      expect(actualOf(full, spared.config.id)).toBe('inactive');
    }

    await inBatches(targets.slice(0, -1), 1_000, resolved);
    const oneLeft = await waitForState(handle, (v) => v.activeIncidentCount === 1, 'all but one resolved', 120_000);
    expect(actualOf(oneLeft, hit.config.id)).toBe('active'); // never withdrawn while one target is under attack
    expect(oneLeft.refusedIncidents).toBeUndefined();
    await resolved(targets[TARGETS - 1]!);
    await waitForState(handle, (v) => v.activeIncidentCount === 0 && actualOf(v, hit.config.id) === 'inactive', 'withdrawn', 60_000);
    expect(advertisements(bed, hit.bgpPrefixId)).toEqual([true, false]);

    const runs = await eventually(
      () => histories(handle),
      (r) => r.length > 1,
      { what: 'continued as new' },
    );
    let longestTaskMs = 0;
    let largestCarried = 0;
    let signals = 0;
    let unhandled = 0;
    for (const history of runs) {
      const taskStarted = new Map<string, number>();
      for (const event of history.events ?? []) {
        const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
        if (event.workflowTaskStartedEventAttributes) taskStarted.set(String(event.eventId), at);
        if (event.workflowExecutionSignaledEventAttributes) signals++;
        // No task failed, but a continue-as-new the server turned down because a signal had just
        // arrived (UnhandledCommand: the next task takes the signal and continues as new then).
        const failed = event.workflowTaskFailedEventAttributes;
        if (failed) expect(String(failed.cause)).toMatch(/UNHANDLED_COMMAND|^1$/);
        if (failed) unhandled++;
        const completed = event.workflowTaskCompletedEventAttributes;
        if (completed) longestTaskMs = Math.max(longestTaskMs, at - (taskStarted.get(String(completed.startedEventId)) ?? at));
        const input = event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
        if (input) largestCarried = Math.max(largestCarried, input.length);
      }
    }
    expect(largestCarried).toBeLessThan(700_000); // a third of Temporal's 2 MB payload limit
    process.stdout.write(
      `carpet bomb of ${TARGETS} targets: ${runs.length} runs, ${signals} signals for ${2 * TARGETS + 1} reports, ${unhandled} continue-as-new turned down for a signal, longest workflow task ${longestTaskMs} ms, largest run input ${largestCarried} bytes\n`,
    );
  });
}, 600_000);
