/**
 * Carpet bombing on a real Temporal server (issue S, item 1): one workspace receives
 * incidents for thousands of distinct targets of a /16. The workflow keeps answering its
 * state query, applies manual actions, continues as new in the middle of the flood, diverts
 * only the integration whose prefix is hit, and withdraws once the last target resolved.
 * It prints the largest workflow task and carried state it saw (figures for the README).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { actualOf, advertisements, cloudflareIntegration, startIncident, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { eventually } from '../support/eventually';
import { activateUpdate, incidentResolvedSignal, incidentStartedSignal, withdrawUpdate } from '../../workflows/messages';

const bed = useBed();
const TARGETS = Number(process.env.CB_TARGETS ?? 3_000);

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
  const input = workspaceInput(ws, [hit.config, spared.config], { continueAsNewAfterEvents: 2_000 });
  const targets = Array.from({ length: TARGETS }, (_, i) => ({ incidentId: `cb-${i}`, target: `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  await withWorker(bed, taskQueue, storeOf(hit, spared), async () => {
    const handle = await startIncident(bed, taskQueue, input, targets[0]!);
    await inBatches(targets.slice(1), 50, (incident) => handle.signal(incidentStartedSignal, incident));
    const flooded = await waitForState(handle, (v) => v.activeIncidentCount === TARGETS && actualOf(v, hit.config.id) === 'active', 'every target recorded', 120_000);
    expect(flooded.activeIncidents).toHaveLength(100); // listed; counted in full
    expect(actualOf(flooded, spared.config.id)).toBe('inactive');

    // Manual actions still apply in the middle of it.
    await expect(handle.executeUpdate(activateUpdate, { args: [{ integrationId: spared.config.id }] })).resolves.toMatchObject({ actual: 'active' });
    await expect(handle.executeUpdate(withdrawUpdate, { args: [{ integrationId: spared.config.id }] })).resolves.toMatchObject({ actual: 'inactive' });

    await inBatches(targets.slice(0, -1), 50, (incident) => handle.signal(incidentResolvedSignal, { incidentId: incident.incidentId }));
    const oneLeft = await waitForState(handle, (v) => v.activeIncidentCount === 1, 'all but one resolved', 120_000);
    expect(actualOf(oneLeft, hit.config.id)).toBe('active'); // never withdrawn while one target is under attack
    await handle.signal(incidentResolvedSignal, { incidentId: targets[TARGETS - 1]!.incidentId });
    await waitForState(handle, (v) => v.activeIncidentCount === 0 && actualOf(v, hit.config.id) === 'inactive', 'withdrawn', 60_000);
    expect(advertisements(bed, hit.bgpPrefixId)).toEqual([true, false]);

    const runs = await eventually(() => histories(handle), (r) => r.length > 1, { what: 'continued as new' });
    let longestTaskMs = 0;
    let largestCarried = 0;
    for (const history of runs) {
      const started = new Map<string, number>();
      for (const event of history.events ?? []) {
        const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
        if (event.workflowTaskStartedEventAttributes) started.set(String(event.eventId), at);
        const completed = event.workflowTaskCompletedEventAttributes;
        if (completed) longestTaskMs = Math.max(longestTaskMs, at - (started.get(String(completed.startedEventId)) ?? at));
        const input = event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
        if (input) largestCarried = Math.max(largestCarried, input.length);
      }
    }
    process.stdout.write(`carpet bomb of ${TARGETS} targets: ${runs.length} runs, longest workflow task ${longestTaskMs} ms, largest run input ${largestCarried} bytes\n`);
  });
}, 600_000);
