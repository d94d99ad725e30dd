/**
 * Scale (issue F §4): many open workspace workflows idle on the one worker, started the
 * way the API starts them (signal-with-start with an incident; these workspaces have no
 * integration, so nothing is diverted and no database is involved). Then resident memory
 * of our worker process and of the Temporal server, and the signals per second the stack
 * sustains: signals sent for a fixed time to random workflows with bounded concurrency,
 * counted until the worker has processed every one of them.
 */
import { now, sleep } from '../clock';
import { cpuSince, cpuTimes, type CpuTimes } from '../cpu';
import { mapBounded } from '../pool';
import { workerSettled } from '../settle';
import type { Stack } from '../stack';
import { mib, round } from '../stats';
import { taskCounts, type TaskCounts } from '../task-counts';
import { TASK_QUEUE, WORKFLOW_TYPE, incidentResolvedSignal, incidentStartedSignal, workspaceWorkflowId, type WorkspaceWorkflowInput } from '../../workflows/messages';

export interface MemoryFigures {
  workerMiB: number;
  /** The baseline's worker process (its own process, idle here): beside ours, not in it. */
  baselineWorkerMiB: number;
  temporalServerMiB: number;
  /** Workflows in the worker's cache at that moment. */
  cachedWorkflows: number;
}

export interface ScaleResult {
  workflows: number;
  /** signal-with-start calls acknowledged per second while opening them (16 in flight: more only queue up at the dev server). */
  startsPerSecond: number;
  /** From the first start until the worker had run every first workflow task. */
  allIdleAfterSeconds: number;
  beforeWorkflows: MemoryFigures;
  idle: MemoryFigures;
  afterSignals: MemoryFigures;
  signals: {
    /** How long sending them took. */
    seconds: number;
    concurrency: number;
    sent: number;
    /** Acknowledged by the server, per second of sending. */
    acceptedPerSecond: number;
    /** Sent signals divided by the time until the worker had processed them all: the sustained rate. */
    processedPerSecond: number;
    workflowTasks: number;
    /** Workflow tasks whose workflow was not in the worker's cache, so its history was replayed. */
    cacheMisses: number;
    cpuSeconds: CpuTimes;
  };
  openingCpuSeconds: CpuTimes;
}

async function memory(stack: Stack): Promise<MemoryFigures> {
  const snapshot = await stack.worker.snapshot();
  return {
    workerMiB: mib(snapshot.residentBytes),
    baselineWorkerMiB: mib(snapshot.baselineResidentBytes),
    temporalServerMiB: mib(stack.temporalResidentBytes()),
    cachedWorkflows: snapshot.scrubbing.numCachedWorkflows,
  };
}

/** The scale workflows being opened: what was there before, and when the last start was acknowledged. */
export interface Opening {
  ids: string[];
  beforeWorkflows: MemoryFigures;
  before: TaskCounts;
  startedAt: number;
  cpu: CpuTimes;
  startsPerSecond: number;
}

export type BeforeOpening = Pick<Opening, 'beforeWorkflows' | 'before'>;

/** Memory and task counts of the settled worker, before anything else starts. */
export async function beforeOpening(stack: Stack): Promise<BeforeOpening> {
  await workerSettled(stack.worker, [TASK_QUEUE]);
  return { beforeWorkflows: await memory(stack), before: await taskCounts(stack.worker, TASK_QUEUE) };
}

/**
 * Opens the workflows (16 signal-with-start calls in flight) and returns once every start
 * is acknowledged; the worker may still be running their first workflow tasks.
 */
export async function openIdleWorkflows(stack: Stack, count: number, { beforeWorkflows, before }: BeforeOpening): Promise<Opening> {
  const ids = Array.from({ length: count }, (_, i) => `scale-${i}`);
  const cpu = cpuTimes(stack);
  const startedAt = now();
  await mapBounded(ids, 16, async (workspaceId) => {
    const input: WorkspaceWorkflowInput = { workspaceId, config: { version: 1, holdDownSeconds: 0, integrations: [] } };
    await stack.client.workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId: workspaceWorkflowId(workspaceId),
      taskQueue: TASK_QUEUE,
      args: [input],
      signal: incidentStartedSignal,
      signalArgs: [{ incidentId: 'signal-0' }],
    });
  });
  return { ids, beforeWorkflows, before, startedAt, cpu, startsPerSecond: round(ids.length / ((now() - startedAt) / 1000), 0) };
}

/** Waits until the worker has run every opened workflow's first task, then measures memory and the sustained signal rate. */
export async function measureScale(stack: Stack, opening: Opening, options: { signals: number; signalConcurrency: number }, log: (line: string) => void): Promise<ScaleResult> {
  const { client } = stack;
  const { ids, before } = opening;
  const expected = before.workflowTasks + ids.length;
  const deadline = Date.now() + 15 * 60_000;
  while ((await taskCounts(stack.worker, TASK_QUEUE)).workflowTasks < expected) {
    if (Date.now() > deadline) throw new Error(`the worker ran fewer than the ${ids.length} first workflow tasks expected within 15 minutes`);
    await sleep(200);
  }
  // Idle pollers for a second mean the server holds no backlog of first tasks either.
  await workerSettled(stack.worker, [TASK_QUEUE], { quietMs: 1_000 });
  const allIdleAfterSeconds = round((now() - opening.startedAt) / 1000, 1);
  const openingCpuSeconds = cpuSince(opening.cpu, stack);
  const idle = await memory(stack);
  log(`scale: ${ids.length} workflows idle after ${allIdleAfterSeconds} s; worker ${idle.workerMiB} MiB, Temporal ${idle.temporalServerMiB} MiB`);

  // Each workflow alternates resolve and start of the same incident, so its state stays small.
  const sentTo = new Array<number>(ids.length).fill(0);
  const beforeSignals = await taskCounts(stack.worker, TASK_QUEUE);
  const signalsCpu = cpuTimes(stack);
  const sending = now();
  // A fixed number of signals: the senders outpace the worker four- to sevenfold, so the rate is the drain of a
  // backlog, and a fixed count keeps the drain's length from following how fast Temporal accepted them.
  let sent = 0;
  let claimed = 0;
  await Promise.all(
    Array.from({ length: options.signalConcurrency }, async () => {
      while (claimed < options.signals) {
        claimed++;
        const index = Math.floor(Math.random() * ids.length);
        const n = (sentTo[index] = (sentTo[index] as number) + 1);
        const handle = client.workflow.getHandle(workspaceWorkflowId(ids[index] as string));
        const incidentId = `signal-${Math.floor(n / 2) * 2}`;
        if (n % 2 === 1) await handle.signal(incidentResolvedSignal, { incidentId });
        else await handle.signal(incidentStartedSignal, { incidentId });
        sent++;
      }
    }),
  );
  const sentIn = now() - sending;
  await workerSettled(stack.worker, [TASK_QUEUE], { quietMs: 1_000 });
  const processedIn = now() - sending;
  const afterSignals = await taskCounts(stack.worker, TASK_QUEUE);
  const signals = {
    seconds: round(sentIn / 1000, 1),
    concurrency: options.signalConcurrency,
    sent,
    acceptedPerSecond: round(sent / (sentIn / 1000), 0),
    processedPerSecond: round(sent / (processedIn / 1000), 0),
    workflowTasks: afterSignals.workflowTasks - beforeSignals.workflowTasks,
    cacheMisses: afterSignals.workflowTasks - beforeSignals.workflowTasks - (afterSignals.stickyCacheHits - beforeSignals.stickyCacheHits),
    cpuSeconds: cpuSince(signalsCpu, stack),
  };
  log(`scale: ${sent} signals, ${signals.acceptedPerSecond}/s accepted, ${signals.processedPerSecond}/s processed`);
  return {
    workflows: ids.length,
    startsPerSecond: opening.startsPerSecond,
    allIdleAfterSeconds,
    openingCpuSeconds,
    beforeWorkflows: opening.beforeWorkflows,
    idle,
    afterSignals: await memory(stack),
    signals,
  };
}
