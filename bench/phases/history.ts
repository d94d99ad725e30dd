/**
 * History growth (issue F §5): one workspace through many incident cycles (start → divert
 * → resolve → withdraw, hold-down 0), each step awaited at the simulator and in the
 * workflow's state. The workflow continues as new when Temporal suggests it (as in
 * production); the report gives the events and workflow tasks one cycle adds, and every
 * run's length, so it is visible that history stays bounded.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { now, sleep } from '../clock';
import type { ApiWorkspace } from '../fixtures';
import type { Stack } from '../stack';
import { distribution, type Distribution } from '../stats';
import { workspaceRepository } from '../../store/workspaces';
import { TASK_QUEUE, WORKFLOW_TYPE, incidentResolvedSignal, incidentStartedSignal, stateQuery, workspaceWorkflowId, type WorkspaceWorkflowInput } from '../../workflows/messages';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface RunSummary {
  events: number;
  /** Incident cycles that started in this run. */
  cycles: number;
  workflowTasks: number;
}

export interface HistoryResult {
  cycles: number;
  /** Events one cycle adds, in the first run's steady state, by type. */
  eventsPerCycle: number;
  /** Every run's events divided by the cycles: includes each run's start and continue-as-new. */
  meanEventsPerCycle: number;
  workflowTasksPerCycle: number;
  cycleEventTypes: Record<string, number>;
  runs: RunSummary[];
  maxEventsInOneRun: number;
  /** One cycle end to end (both provider calls and state checks), ms. */
  cycleDuration: Distribution;
}

async function waitForActual(handle: WorkflowHandle, actual: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    // A query may reach the run that is just continuing as new; it is simply asked again.
    const view = await handle.query(stateQuery).catch(() => undefined);
    if (view?.integrations[0]?.actual === actual) return;
    await sleep(2);
  }
  throw new Error(`${handle.workflowId} did not reach ${actual}`);
}

/** Every run of the workflow, oldest first, with its history. */
async function runHistories(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const events: HistoryEvent[] = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

const isCycleStart = (event: HistoryEvent) => event.workflowExecutionSignaledEventAttributes?.signalName === 'incidentStarted';
const isTaskCompleted = (event: HistoryEvent) => Boolean(event.workflowTaskCompletedEventAttributes);

/** The events of one cycle in the middle of the first run: from one start signal up to the next. */
function middleCycle(events: HistoryEvent[]): HistoryEvent[] {
  const starts = events.flatMap((event, index) => (isCycleStart(event) ? [index] : []));
  const middle = Math.max(0, Math.floor(starts.length / 2) - 1);
  return events.slice(starts[middle], starts[middle + 1]);
}

function eventTypeName(event: HistoryEvent): string {
  const attributes = Object.keys(event).find((key) => key.endsWith('EventAttributes') && event[key as keyof HistoryEvent]);
  return attributes ? attributes.replace(/EventAttributes$/, '') : String(event.eventType);
}

/**
 * Sends the detector's signals straight to Temporal, as the API would (signal-with-start with
 * the stored configuration first, then signals): the history is the same, each cycle shorter.
 */
export async function measureHistoryGrowth(stack: Stack, workspace: ApiWorkspace, cycles: number, log: (line: string) => void): Promise<HistoryResult> {
  const { bgpPrefixId } = workspace.prefix;
  const workflowId = workspaceWorkflowId(workspace.id);
  const handle = stack.client.workflow.getHandle(workflowId);
  const config = await workspaceRepository(stack.database.models).configSnapshot(workspace.id);
  if (!config) throw new Error(`workspace ${workspace.id} is not stored`);
  const input: WorkspaceWorkflowInput = { workspaceId: workspace.id, config };
  const durations: number[] = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const started = now();
    const incidentId = `cycle-${cycle}`;
    if (cycle === 1) {
      await stack.client.workflow.signalWithStart(WORKFLOW_TYPE, {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [input],
        signal: incidentStartedSignal,
        signalArgs: [{ incidentId }],
      });
    } else {
      await handle.signal(incidentStartedSignal, { incidentId });
    }
    await stack.simulator.waitForPatch(bgpPrefixId, true, started, 30_000);
    await waitForActual(handle, 'active');
    const resolving = now();
    await handle.signal(incidentResolvedSignal, { incidentId });
    await stack.simulator.waitForPatch(bgpPrefixId, false, resolving, 30_000);
    await waitForActual(handle, 'inactive');
    durations.push(now() - started);
    if (cycle % 100 === 0) log(`history: ${cycle}/${cycles} cycles`);
  }
  await sleep(500); // the last audit record
  const runs = (await runHistories(stack.client, handle.workflowId)).map((events) => ({
    events,
    summary: { events: events.length, cycles: events.filter(isCycleStart).length, workflowTasks: events.filter(isTaskCompleted).length },
  }));
  const first = runs[0]?.events ?? [];
  const cycle = middleCycle(first);
  const cycleEventTypes: Record<string, number> = {};
  for (const event of cycle) cycleEventTypes[eventTypeName(event)] = (cycleEventTypes[eventTypeName(event)] ?? 0) + 1;
  return {
    cycles,
    eventsPerCycle: cycle.length,
    meanEventsPerCycle: Math.round((runs.reduce((sum, run) => sum + run.summary.events, 0) / cycles) * 10) / 10,
    workflowTasksPerCycle: cycle.filter(isTaskCompleted).length,
    cycleEventTypes,
    runs: runs.map((run) => run.summary),
    maxEventsInOneRun: Math.max(...runs.map((run) => run.summary.events)),
    cycleDuration: distribution(durations),
  };
}
