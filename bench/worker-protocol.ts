/** What the bench and a worker process say to each other over IPC, and the worker's start configuration. */
import type { LogLevel } from '@temporalio/common';
import type { WorkerOptions, WorkerStatus } from '@temporalio/worker';
import type { ProviderUrls } from '../activities/providers';
import type { ScrubbingWorkerOptions } from '../worker/create-worker';

export type WorkerTuning = NonNullable<ScrubbingWorkerOptions['tuning']>;

export interface WorkerProcessConfig {
  /** Which worker the process runs: ours (`npm run worker`'s) or the bare baseline's, each in its own process. */
  role: 'scrubbing' | 'baseline';
  temporalAddress: string;
  mongoUrl: string;
  encryptionKeys: string;
  providerUrls: Required<ProviderUrls>;
  /** The simulated Cloudflare token of the baseline's account: held by its activity, never in history. */
  baselineToken: string;
  /** Prebuilt workflow bundles (as `npm run build` makes for production), so no bundler runs in the worker. */
  bundlePaths: { scrubbing: string; baseline: string };
  metricsPort: number;
  logLevel: LogLevel;
  tuning: WorkerTuning;
  /** Worker options beyond what createScrubbingWorker's `tuning` accepts, for experiments (BENCH_WORKER_OPTIONS). */
  experimentalWorkerOptions: ExperimentalWorkerOptions;
}

export type ExperimentalWorkerOptions = Partial<
  Pick<
    WorkerOptions,
    | 'maxConcurrentWorkflowTaskPolls'
    | 'maxConcurrentActivityTaskPolls'
    | 'nonStickyToStickyPollRatio'
    | 'stickyQueueScheduleToStartTimeout'
    | 'workflowTaskPollerBehavior'
    | 'activityTaskPollerBehavior'
  >
>;

export type ToWorker = { type: 'status'; id: number };

export type FromWorker = { type: 'ready' } | { type: 'status'; id: number; status: WorkerStatus; memory: NodeJS.MemoryUsage };
