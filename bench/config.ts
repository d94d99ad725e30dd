/**
 * The bench's knobs, from the environment. The defaults are issue F's numbers and the
 * worker as `createScrubbingWorker` builds it without tuning, so the table shows what ships;
 * bench/README.md lists what each tuning changed.
 */
import type { LogLevel } from '@temporalio/common';
import type { ExperimentalWorkerOptions, WorkerTuning } from './worker-protocol';

/** How the Temporal dev server keeps its state (BENCH_TEMPORAL_STORE). */
export const TEMPORAL_STORES = {
  file: 'SQLite file, default pragmas (as `npm run dev`)',
  'file-wal': 'SQLite file, journal_mode=wal, synchronous=normal',
  memory: 'in-memory SQLite',
};

export interface BenchConfig {
  /** Sequential attacks per kind (new workflow, existing workflow), measured. */
  latencyAttacks: number;
  /** Attacks per kind run first and not measured (JIT, connection pools). */
  warmupAttacks: number;
  burstWorkspaces: number;
  /** The burst's incidents are spread evenly over this window. */
  burstWindowMs: number;
  /** The burst again on the bare baseline in the same run (about a minute more); BENCH_BURST_BASELINE=0 skips it. */
  burstBaseline: boolean;
  /** Workspaces given a never-answering webhook channel in the channels phase (at most the latency phase's). */
  hungChannels: number;
  scaleWorkflows: number;
  scaleSignals: number;
  /** Signals in flight at once while measuring signals/second. */
  signalConcurrency: number;
  historyCycles: number;
  temporalStore: keyof typeof TEMPORAL_STORES;
  workerLogLevel: LogLevel;
  tuning: WorkerTuning;
  experiments: {
    /** BENCH_WORKER_OPTIONS (JSON): worker options createScrubbingWorker does not accept yet. */
    workerOptions: ExperimentalWorkerOptions;
    /** BENCH_INTAKE_KEEP_AFTER_MS: the API's `INTAKE_KEEP_AFTER_MS` (api/intake.ts; absent, its default). */
    intakeKeepAfterMs: number | undefined;
  };
  /** BENCH_PHASES: which measurements to run, in this order (default all). */
  phases: Phase[];
}

export const PHASES = ['latency', 'history', 'burst', 'channels', 'scale'] as const;
export type Phase = (typeof PHASES)[number];

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

function optionalInteger(name: string): number | undefined {
  return process.env[name] ? integer(name, 0) : undefined;
}

export function loadBenchConfig(): BenchConfig {
  const store = process.env.BENCH_TEMPORAL_STORE ?? 'file-wal';
  if (!(store in TEMPORAL_STORES)) throw new Error(`BENCH_TEMPORAL_STORE must be one of ${Object.keys(TEMPORAL_STORES).join(', ')}`);
  const tuning: WorkerTuning = {};
  const maxCachedWorkflows = optionalInteger('BENCH_MAX_CACHED_WORKFLOWS');
  const maxWorkflowTasks = optionalInteger('BENCH_MAX_CONCURRENT_WORKFLOW_TASKS');
  const maxActivities = optionalInteger('BENCH_MAX_CONCURRENT_ACTIVITIES');
  if (maxCachedWorkflows !== undefined) tuning.maxCachedWorkflows = maxCachedWorkflows;
  if (maxWorkflowTasks !== undefined) tuning.maxConcurrentWorkflowTaskExecutions = maxWorkflowTasks;
  if (maxActivities !== undefined) tuning.maxConcurrentActivityTaskExecutions = maxActivities;
  return {
    latencyAttacks: integer('BENCH_LATENCY_ATTACKS', 200),
    warmupAttacks: integer('BENCH_WARMUP_ATTACKS', 10),
    burstWorkspaces: integer('BENCH_BURST_WORKSPACES', 1_000),
    burstWindowMs: integer('BENCH_BURST_WINDOW_MS', 1_000),
    burstBaseline: process.env.BENCH_BURST_BASELINE !== '0',
    hungChannels: integer('BENCH_HUNG_CHANNELS', 150),
    scaleWorkflows: integer('BENCH_SCALE_WORKFLOWS', 10_000),
    scaleSignals: integer('BENCH_SCALE_SIGNALS', 2_000),
    signalConcurrency: integer('BENCH_SIGNAL_CONCURRENCY', 16),
    historyCycles: integer('BENCH_HISTORY_CYCLES', 300),
    temporalStore: store as BenchConfig['temporalStore'],
    workerLogLevel: (process.env.BENCH_WORKER_LOG_LEVEL as LogLevel | undefined) ?? 'INFO',
    tuning,
    experiments: {
      workerOptions: JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as ExperimentalWorkerOptions,
      intakeKeepAfterMs: optionalInteger('BENCH_INTAKE_KEEP_AFTER_MS'),
    },
    phases: phases(),
  };
}

function phases(): Phase[] {
  const wanted = (process.env.BENCH_PHASES ?? PHASES.join(',')).split(',').map((p) => p.trim());
  const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_PHASES: unknown ${unknown.join(', ')}; use ${PHASES.join(', ')}`);
  return PHASES.filter((p) => wanted.includes(p));
}
