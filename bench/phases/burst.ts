/**
 * Burst (issue F §3): every workspace reports an incident within one window (1 s), spread
 * evenly; how long until the simulator has seen every prefix advertised. Then every
 * incident resolves the same way (hold-down 0): how long until every prefix is withdrawn.
 * A detector whose POST is refused or fails retries after a second, as curl --retry
 * would; the report counts those retries (refusals: 5xx, 429) and the answers that say `queued`.
 */
import { now, sleep } from '../clock';
import { BASELINE_TASK_QUEUE } from '../baseline/messages';
import { workerSettled } from '../settle';
import { TASK_QUEUE } from '../../workflows/messages';
import { cpuSince, cpuTimes, type CpuTimes } from '../cpu';
import { taskCounts } from '../task-counts';
import { fetchMetrics, sumByLabel } from '../prometheus';
import type { AttackTarget } from '../detector';
import type { Stack } from '../stack';
import { distribution, round, type Distribution } from '../stats';
import { incidentRepository } from '../../store/incidents';

export interface Wave {
  workspaces: number;
  /** First POST sent → last provider PATCH received. */
  allDoneMs: number;
  /** First POST sent → last POST sent. */
  lastSentMs: number;
  /** First POST sent → last 202 back at its detector. */
  lastAnsweredMs: number;
  /** Per workspace: API received the POST → simulator received the PATCH. */
  perWorkspace: Distribution;
  refusedThenRetried: number;
  /** Refusals by status and error code (`503 database_unavailable`, `0 fetch failed`, …). */
  refusals: Record<string, number>;
  /** Answered 202 `queued` (kept by the API, delivered when Temporal took it) rather than `delivered`. */
  queued: number;
  /**
   * Reports our API wrote to its outbox during the wave (`scrubbing_intake_outbox_writes_total`), by
   * why: a write and a removal each, while the wave runs; absent for the baseline, which keeps none.
   */
  outboxWrites?: Record<string, number>;
  /** Calls Temporal refused with RESOURCE_EXHAUSTED during the wave (any client: API, workers), by cause. */
  temporalRefusals?: Record<string, number>;
  /**
   * After the wave (its last PATCH and workflow task): how long until the Temporal server had run the
   * work the wave left due (timers: each workflow task's timeouts, each provider call's heartbeat
   * timeout, 10 s on; visibility updates), and the CPU that took. The next wave starts only then, so
   * it does not pay for this one's (before the fifteenth session our withdraw wave ran while our divert
   * wave's 800 heartbeat timers fired, and the baseline's divert wave while our withdraw's did).
   */
  afterwards?: { ms: number; cpuSeconds: CpuTimes; temporalTasks?: Record<string, number> };
  cpuSeconds: CpuTimes;
  /** Tasks the Temporal server ran from the wave's start until the worker settled after it, by operation (its `task_requests`). */
  temporalTasks?: Record<string, number>;
  /**
   * Workflow tasks the wave's worker completed on its task queue (until it settled after the wave), and
   * how many did not find their workflow in the worker's cache: a new workflow's first task, or a
   * replay of its history (a task that waited past the sticky queue's timeout went to the normal queue).
   */
  workflowTasks?: { completed: number; cacheMisses: number };
  /** Database commands answered during the wave, by name (FerretDB's metrics; absent on MongoDB). */
  storeCommands?: Record<string, number>;
}

export interface BurstResult {
  windowMs: number;
  divert: Wave;
  withdraw: Wave;
}

async function wave(stack: Stack, targets: AttackTarget[], kind: 'start' | 'resolve', windowMs: number, taskQueue: string): Promise<Wave> {
  const advertised = kind === 'start';
  // Nothing left of an earlier step runs during the wave (in a burst-only run, the workflows started as the
  // workspaces were stored were still reading their incident records when the first wave began).
  await workerSettled(stack.worker, [TASK_QUEUE, BASELINE_TASK_QUEUE]);
  const ours = taskQueue === TASK_QUEUE;
  // Temporal's metrics page is large: read before the wave's CPU is counted.
  const [keptBefore, refusedBefore, serverTasksBefore] = await Promise.all([ours ? outboxWrites(stack) : undefined, stack.temporalRefusals(), stack.temporalTasks()]);
  const cpu = cpuTimes(stack);
  const [commandsBefore, tasksBefore] = await Promise.all([stack.storeCommands(), taskCounts(stack.worker, taskQueue)]);
  const start = now();
  let retried = 0;
  const refusals: Record<string, number> = {};
  let queued = 0;
  const outcomes = await Promise.all(
    targets.map(async (target, i) => {
      await sleep(Math.max(0, start + (i * windowMs) / targets.length - now()));
      const sentAt = now();
      const send = () => target.report(kind, 'burst-1').catch((err: unknown) => ({ status: 0, error: err, answeredAt: now(), arrivedAt: now() }));
      let report = await send();
      for (let attempt = 1; report.status !== 202; attempt++) {
        if (attempt > 10) throw new Error(`${kind} for ${target.workspaceId} kept failing (last answer ${report.status})`);
        retried++;
        const reason = `${report.status} ${'errorCode' in report ? (report.errorCode ?? '') : 'error' in report ? String((report.error as Error)?.message ?? report.error) : ''}`.trim();
        refusals[reason] = (refusals[reason] ?? 0) + 1;
        await sleep(1_000);
        report = await send();
      }
      if ('queued' in report && report.queued) queued++;
      const doneAt = await stack.simulator.waitForPatch(target.bgpPrefixId, advertised, start, 300_000);
      return { sentAt, answeredAt: report.answeredAt, latency: doneAt - report.arrivedAt, doneAt };
    }),
  );
  const cpuSeconds = cpuSince(cpu, stack);
  const [keptAfter, refusedAfter] = await Promise.all([ours ? outboxWrites(stack) : undefined, stack.temporalRefusals()]);
  // Counted once the wave's last workflow tasks (those after the last PATCH) are done too.
  await workerSettled(stack.worker, [taskQueue]);
  const [commandsAfter, tasksAfter, serverTasksAfter] = await Promise.all([stack.storeCommands(), taskCounts(stack.worker, taskQueue), stack.temporalTasks()]);
  const afterwards = await temporalDone(stack, serverTasksAfter);
  const completed = tasksAfter.workflowTasks - tasksBefore.workflowTasks;
  const workflowTasks = { completed, cacheMisses: Math.max(0, completed - (tasksAfter.stickyCacheHits - tasksBefore.stickyCacheHits)) };
  const last = (values: number[]) => round(Math.max(...values) - start, 0);
  return {
    workspaces: targets.length,
    allDoneMs: last(outcomes.map((o) => o.doneAt)),
    lastSentMs: last(outcomes.map((o) => o.sentAt)),
    lastAnsweredMs: last(outcomes.map((o) => o.answeredAt)),
    perWorkspace: distribution(outcomes.map((o) => o.latency)),
    refusedThenRetried: retried,
    refusals,
    queued,
    ...(keptBefore && keptAfter ? { outboxWrites: commandDelta(keptBefore, keptAfter) } : {}),
    temporalRefusals: commandDelta(refusedBefore, refusedAfter),
    afterwards,
    cpuSeconds,
    temporalTasks: commandDelta(serverTasksBefore, serverTasksAfter),
    workflowTasks,
    ...(commandsBefore && commandsAfter ? { storeCommands: commandDelta(commandsBefore, commandsAfter) } : {}),
  };
}

/** Temporal's timeouts for workflow tasks (sticky schedule-to-start, start-to-close) and provider calls' heartbeats. */
const DEFERRED_MS = 10_000;

/**
 * Waits until the Temporal server has run what the wave left due: at least DEFERRED_MS (and a
 * half-second margin) after the wave's last workflow task, then until a second passes with no
 * task from its queues (read every second; at most 30 s in all). Returns the tasks it saw run meanwhile, by operation
 * (what kept the server busy when the wait reached 30 s).
 */
async function temporalDone(stack: Stack, tasksBefore: Record<string, number>): Promise<NonNullable<Wave['afterwards']>> {
  const from = now();
  const cpu = cpuTimes(stack);
  const total = (tasks: Record<string, number>) => Object.values(tasks).reduce((sum, count) => sum + count, 0);
  let tasks = tasksBefore;
  let quietSince = now();
  while (now() - from < 30_000) {
    await sleep(1_000); // each reading has the server render its whole metrics page (3 MB after a burst, 30 ms)
    const latest = await stack.temporalTasks();
    if (total(latest) !== total(tasks)) [tasks, quietSince] = [latest, now()];
    else if (now() - from >= DEFERRED_MS + 500 && now() - quietSince >= 1_000) break;
  }
  return { ms: round(now() - from, 0), cpuSeconds: cpuSince(cpu, stack), temporalTasks: commandDelta(tasksBefore, tasks) };
}

/** Our API's outbox writes so far, by reason (its /metrics). */
async function outboxWrites(stack: Stack): Promise<Record<string, number>> {
  return sumByLabel(await fetchMetrics(`${stack.api.url}/metrics`, 'the API'), 'scrubbing_intake_outbox_writes_total', 'reason');
}

/** Counts that grew between two readings (commands, refusals, outbox writes), the busiest first; `hello` (connection checks) left out. */
function commandDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta = Object.entries(after)
    .map(([command, count]) => [command, count - (before[command] ?? 0)] as const)
    .filter(([command, count]) => count > 0 && command !== 'hello')
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(delta);
}

export async function measureBurst(stack: Stack, targets: AttackTarget[], windowMs: number, taskQueue: string, log: (line: string) => void): Promise<BurstResult> {
  const divert = await wave(stack, targets, 'start', windowMs, taskQueue);
  log(`burst: ${targets.length} diverted ${divert.allDoneMs} ms after the first POST`);
  const withdraw = await wave(stack, targets, 'resolve', windowMs, taskQueue);
  log(`burst: ${targets.length} withdrawn ${withdraw.allDoneMs} ms after the first resolve`);
  return { windowMs, divert, withdraw };
}

/** What one run of the incident-record sweep did and cost. */
export interface SweepResult {
  /** Resolutions not yet folded when it began. */
  folded: number;
  ms: number;
  cpuSeconds: CpuTimes;
  storeCommands?: Record<string, number>;
}

/**
 * The incident-record sweep, run once right after our burst (each API process runs it at start and every
 * 10 minutes, off the attack path): it folds the resolves the API wrote beside the records (the bursts', and
 * whatever earlier phases resolved) into the records. Its cost is shown here rather than left to fall on a
 * later phase; the baseline has no records and nothing to sweep.
 */
export async function measureSweep(stack: Stack): Promise<SweepResult> {
  const folded = await stack.database.models.IncidentResolution.countDocuments({ folded: { $ne: true } });
  const commandsBefore = await stack.storeCommands();
  const cpu = cpuTimes(stack);
  const from = now();
  await incidentRepository(stack.database.models).pruneResolved();
  const ms = round(now() - from, 0);
  const cpuSeconds = cpuSince(cpu, stack);
  const commandsAfter = await stack.storeCommands();
  return { folded, ms, cpuSeconds, ...(commandsBefore && commandsAfter ? { storeCommands: commandDelta(commandsBefore, commandsAfter) } : {}) };
}
