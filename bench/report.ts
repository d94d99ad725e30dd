/** The results file (results.json) and the markdown table printed and written beside it (results.md). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from './config';
import type { CpuTimes } from './cpu';
import type { Machine } from './machine';
import type { BurstResult, SweepResult, Wave } from './phases/burst';
import type { ChannelsResult } from './phases/channels';
import type { HistoryResult } from './phases/history';
import type { LatencyResult, LatencyRound } from './phases/latency';
import type { ScaleResult } from './phases/scale';
import type { StoreReads } from './phases/store-reads';
import type { Distribution } from './stats';
import type { ExperimentalWorkerOptions } from './worker-protocol';
import type { WorkerTuning } from '../worker/tuning';

export interface BenchResults {
  date: string;
  machine: Machine;
  setup: {
    temporalStore: string;
    applicationStore: string;
    workerTuning: BenchConfig['tuning'];
    /** worker/tuning.ts's defaults, which both workers start from. */
    shippedTuning?: WorkerTuning;
    experimentalWorkerOptions: ExperimentalWorkerOptions;
    /** The API's intake `keepAfterMs` when an experiment set it (BENCH_INTAKE_KEEP_AFTER_MS); absent, api/intake.ts's default. */
    intakeKeepAfterMs?: number;
    workerLogLevel: string;
    notes: string[];
  };
  wallTimeSeconds: number;
  storeReads: StoreReads;
  divertLatency?: LatencyResult;
  burst?: BurstResult;
  burstBaseline?: BurstResult;
  /** The incident-record sweep run once after our burst (phases/burst.ts). */
  burstSweep?: SweepResult;
  hungChannels?: ChannelsResult;
  history?: HistoryResult;
  scale?: ScaleResult;
}

const n = (value: number) => value.toLocaleString('en-US');
const ms = (d: Distribution) => `${d.p50} / ${d.p95} / ${d.p99} ms`;
const s = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;
const cpu = (c: CpuTimes) => `CPU s: Temporal ${c.temporalServer}, worker ${c.worker}, store ${c.store}, API+load ${c.benchProcess}, simulator ${c.simulator}`;

function latencyRows(latency: LatencyResult): string[] {
  const row = (label: string, round: LatencyRound) =>
    `| ${label} | **${ms(round.ours.divert)}**; bare baseline ${ms(round.baseline.divert)}; **ratio ${round.ratio.p50} / ${round.ratio.p95} / ${round.ratio.p99}** |`;
  const { newWorkflow: fresh, existingWorkflow: existing } = latency;
  const both = (pick: (round: LatencyRound) => string) => `${pick(fresh)} / ${pick(existing)}`;
  return [
    row(`divert latency, ${fresh.ours.divert.n} first attacks of a workspace (ours: workflow started with its integration; baseline: created by the attack) (p50 / p95 / p99)`, fresh),
    row(`divert latency, ${existing.ours.divert.n} attacks on existing workflows`, existing),
    `| where a divert's time goes, p50, new / existing | API's 202 after ${both((r) => String(r.ours.answered.p50))} ms (baseline ${both((r) => String(r.baseline.answered.p50))} ms); ` +
      `first provider request (ours: the adapter's read) at ${both((r) => String(r.ours.firstProviderRequest.p50))} ms |`,
    `| per divert, new / existing: workflow tasks, activities | ours ${both((r) => `${r.ours.perDivert.workflowTasks}, ${r.ours.perDivert.activities}`)}; ` +
      `baseline ${both((r) => `${r.baseline.perDivert.workflowTasks}, ${r.baseline.perDivert.activities}`)}; ` +
      `mean workflow task wait ${both((r) => String(r.ours.perDivert.meanMs.workflowTaskScheduleToStart))} ms (baseline ${both((r) => String(r.baseline.perDivert.meanMs.workflowTaskScheduleToStart))}), ` +
      `divert activity run ${both((r) => String(r.ours.perDivert.meanMs.activityExecution))} ms (baseline ${both((r) => String(r.baseline.perDivert.meanMs.activityExecution))}) |`,
  ];
}

function channelsRow(c: ChannelsResult): string {
  const change = `${c.change >= 0 ? '+' : ''}${Math.round(c.change * 1000) / 10} %`;
  return (
    `| divert latency, ${c.round.ours.divert.n} attacks on existing workflows whose workspaces have ${n(c.channels)} webhook channels that never answer (target: p50 within 10 % of the run without) | ` +
    `**${ms(c.round.ours.divert)}**; without the channels (above) p50 ${c.withoutChannelsP50} ms: **${change}**; bare baseline ${ms(c.round.baseline.divert)} (ratio ${c.round.ratio.p50}); ${n(c.hungDeliveries)} deliveries were hanging |`
  );
}

function tasks(counts: Wave['workflowTasks']): string {
  return counts ? `; ${n(counts.completed)} workflow tasks, ${n(counts.cacheMisses)} not served from the worker's cache (new workflows, replays)` : '';
}

function commands(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {});
  if (entries.length === 0) return '';
  return `; database commands ${entries.map(([command, count]) => `${command} ${n(count)}`).join(', ')}`;
}

/** Our API's outbox writes during the wave (none for the baseline). */
function outbox(writes: Record<string, number> | undefined): string {
  if (!writes) return '';
  const total = Object.values(writes).reduce((sum, count) => sum + count, 0);
  const why = Object.entries(writes)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${n(count)}`)
    .join(', ');
  return `, ${n(total)} written to the outbox${why ? ` (${why})` : ''}`;
}

/** Calls Temporal refused with RESOURCE_EXHAUSTED during the wave (shown only when there were any). */
function refusedByTemporal(refusals: Record<string, number> | undefined): string {
  const entries = Object.entries(refusals ?? {});
  if (entries.length === 0) return '';
  return `; Temporal refused ${entries.map(([cause, count]) => `${n(count)} calls (${cause})`).join(', ')}`;
}

/** The wait for what the wave left due in Temporal (timers, visibility), before the next wave. */
function afterwards(after: Wave['afterwards']): string {
  if (!after) return '';
  const busiest = Object.entries(after.temporalTasks ?? {})
    .slice(0, 3)
    .map(([operation, count]) => `${operation} ${n(count)}`)
    .join(', ');
  return `; then ${s(after.ms)} until Temporal had run what the wave left due (${cpu(after.cpuSeconds)}${busiest ? `; its tasks, the most: ${busiest}` : ''})`;
}

function waveRow(label: string, wave: Wave): string {
  const reasons = Object.entries(wave.refusals ?? {})
    .map(([reason, count]) => `${count} × ${reason}`)
    .join(', ');
  const retried = `; **${wave.refusedThenRetried} refused** (retried${reasons ? `: ${reasons}` : ''})${wave.queued > 0 ? `, ${wave.queued} answered 202 queued` : ''}${outbox(wave.outboxWrites)}${refusedByTemporal(wave.temporalRefusals)}`;
  return (
    `| ${label} | **${s(wave.allDoneMs)}** after the first POST (last POST at ${s(wave.lastSentMs)}, last 202 at ${s(wave.lastAnsweredMs)}); ` +
    `per workspace p50 / p95 / p99 ${ms(wave.perWorkspace)}${retried}; ${cpu(wave.cpuSeconds)}${tasks(wave.workflowTasks)}${commands(wave.storeCommands)}${afterwards(wave.afterwards)} |`
  );
}

function sweepRow(sweep: SweepResult): string {
  return (
    `| then the incident-record sweep (each API process, at start and every 10 minutes, off the attack path; here once, right after the burst) | ` +
    `folded the ${n(sweep.folded)} resolves written beside the records since the run began into them in ${s(sweep.ms)}; ${cpu(sweep.cpuSeconds)}${commands(sweep.storeCommands)} |`
  );
}

function scaleRows(scale: ScaleResult): string[] {
  const { idle, beforeWorkflows: before, signals } = scale;
  return [
    `| scale: ${n(scale.workflows)} idle workspace workflows on one worker | worker RSS **${n(idle.workerMiB)} MiB** (${n(before.workerMiB)} MiB before them; ${n(idle.cachedWorkflows)} in its cache; the baseline's worker, a process of its own, ${n(idle.baselineWorkerMiB)} MiB), ` +
      `Temporal server RSS **${n(idle.temporalServerMiB)} MiB** (${n(before.temporalServerMiB)} MiB before); started at ${n(scale.startsPerSecond)}/s, all idle after ${scale.allIdleAfterSeconds} s |`,
    `| scale: signals / second sustained | **${n(signals.processedPerSecond)}/s** processed (${n(signals.acceptedPerSecond)}/s accepted; ${n(signals.sent)} signals sent in ${signals.seconds} s, ` +
      `${signals.concurrency} in flight; ${n(signals.workflowTasks)} workflow tasks, ${n(signals.cacheMisses)} cache misses); afterwards worker ${n(scale.afterSignals.workerMiB)} MiB, Temporal ${n(scale.afterSignals.temporalServerMiB)} MiB; ${cpu(signals.cpuSeconds)} |`,
  ];
}

function historyRows(history: HistoryResult): string[] {
  return [
    `| history: one incident cycle (start, divert, resolve, withdraw) | **${history.eventsPerCycle} events**, ${history.workflowTasksPerCycle} workflow tasks; cycle p50 ${history.cycleDuration.p50} ms |`,
    `| history: ${n(history.cycles)} cycles, continue-as-new when Temporal suggests it | **${history.runs.length} runs, at most ${n(history.maxEventsInOneRun)} events in one run** ` +
      `(${history.runs.map((r) => n(r.events)).join(', ')}); ${history.meanEventsPerCycle} events per cycle overall |`,
  ];
}

const shipped = (t: WorkerTuning | undefined) =>
  t ? `${t.maxCachedWorkflows} cached workflows, workflow-task pollers ${t.workflowTaskPollers}, sticky timeout ${t.stickyQueueScheduleToStartTimeoutSeconds} s` : 'SDK defaults';

export function markdownTable(results: BenchResults): string {
  const { machine, storeReads: reads, divertLatency, burst, scale, history } = results;
  const tuning = [...Object.entries(results.setup.workerTuning), ...Object.entries(results.setup.experimentalWorkerOptions)].map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ');
  const lines = [
    `Measured ${results.date.slice(0, 10)} on **${machine.cores} cores** (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
      `${machine.temporal} dev server (${results.setup.temporalStore}); ${results.setup.applicationStore.replace('FerretDB', machine.ferretdb)}; ` +
      `worker (ours and the baseline's): as shipped (worker/tuning.ts: ${shipped(results.setup.shippedTuning)})${tuning ? `, then ${tuning}` : ''}; ` +
      (results.setup.intakeKeepAfterMs !== undefined ? `API intake keepAfterMs ${results.setup.intakeKeepAfterMs} (experiment); ` : '') +
      `\`npm run bench\` took ${Math.round(results.wallTimeSeconds)} s. Temporal, the database, the worker, the API, the simulator and the load share the ${machine.cores} cores.`,
    '',
    `| figure (${machine.cores} cores) | result |`,
    '|---|---|',
    ...(divertLatency ? latencyRows(divertLatency) : []),
    `| store reads before each signal and activity (${n(reads.workspaces)} workspaces stored), mean | key lookup ${reads.authenticateKeyMs} ms, configuration snapshot **${reads.configSnapshotMs} ms**, workspace by id ${reads.workspaceByIdMs} ms, credentials ${reads.loadCredentialsMs} ms |`,
    ...(results.hungChannels ? [channelsRow(results.hungChannels)] : []),
    ...(burst
      ? [
          waveRow(`burst: ${n(burst.divert.workspaces)} workspaces attacked within ${s(burst.windowMs)}, all diverted`, burst.divert),
          waveRow(`burst: all ${n(burst.withdraw.workspaces)} resolved (hold-down 0), all withdrawn`, burst.withdraw),
          ...(results.burstSweep ? [sweepRow(results.burstSweep)] : []),
        ]
      : []),
    ...(results.burstBaseline
      ? [
          waveRow('the same burst on the bare baseline, all diverted', results.burstBaseline.divert),
          waveRow('the bare baseline, all withdrawn', results.burstBaseline.withdraw),
          ...(burst
            ? [
                `| burst ratio, ours / bare baseline (target ≤ 1.25) | all diverted **${(burst.divert.allDoneMs / results.burstBaseline.divert.allDoneMs).toFixed(2)}**; all withdrawn **${(burst.withdraw.allDoneMs / results.burstBaseline.withdraw.allDoneMs).toFixed(2)}** |`,
              ]
            : []),
        ]
      : []),
    ...(scale ? scaleRows(scale) : []),
    ...(history ? historyRows(history) : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function writeResults(dir: string, results: BenchResults): string {
  const table = markdownTable(results);
  // BENCH_OUTPUT_DIR may name a directory that does not exist yet (a run's figures are lost otherwise).
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), table);
  return table;
}
