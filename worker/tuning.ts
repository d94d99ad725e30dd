/**
 * The worker's performance settings: chosen by measurement (`npm run bench`, README
 * Benchmarks), stated explicitly instead of left to SDK defaults that derive from the heap,
 * and overridable from the environment (validated, a bad value names its variable).
 * temporal-ops.md explains each knob.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';

export interface WorkerTuning {
  /**
   * Workflows kept in memory between tasks (the SDK's default derives from the heap: 2,310
   * on the bench's box). Bounds the worker's memory; a workflow not cached replays its
   * (bounded) history on its next task. It should hold every workspace a worker serves: a burst
   * across more workspaces than the cache holds evicts, in turn, the very workflows it reaches
   * next (the bench's 1,211 workspaces in a cache of 1,000 replayed almost every one). 1,500
   * kept 10,000 idle workflows at 755–796 MiB of resident memory in the bench, with the workflow modules
   * shared (workflow-bundle.ts) and glibc's arenas capped (MALLOC_ARENA_MAX); 931–1,192 MiB before.
   */
  maxCachedWorkflows: number;
  /**
   * Workflow-task pollers: `autoscaling` (Temporal's recommendation, server ≥ 1.28) or a fixed
   * maximum. With the SDK default (10 fixed) only 2 serve the normal queue where a workspace's
   * first task after an eviction lands.
   */
  workflowTaskPollers: 'autoscaling' | number;
  /**
   * How long a workflow task waits on this worker's sticky queue before going to any worker.
   * Longer keeps a backlog from bouncing tasks to the normal queue (where they replay), but a
   * worker that dies (SIGKILL) leaves its workflows' next tasks waiting that long: 30 s made the
   * crash tests' diversions wait 30 s for another worker, so it stays at the SDK's 10 s.
   */
  stickyQueueScheduleToStartTimeoutSeconds: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  maxCachedWorkflows: 1_500,
  workflowTaskPollers: 'autoscaling',
  stickyQueueScheduleToStartTimeoutSeconds: 10,
};

const positiveInteger = z.coerce.number().int().positive();
const ENV = {
  WORKER_MAX_CACHED_WORKFLOWS: { schema: z.coerce.number().int().min(0), expected: 'an integer ≥ 0' },
  WORKER_WORKFLOW_TASK_POLLERS: { schema: z.union([z.literal('autoscaling'), positiveInteger.min(2)]), expected: '"autoscaling" or an integer ≥ 2' },
  WORKER_STICKY_TIMEOUT_SECONDS: { schema: positiveInteger, expected: 'a positive integer' },
} as const;

/** The tuning from WORKER_MAX_CACHED_WORKFLOWS, WORKER_WORKFLOW_TASK_POLLERS and WORKER_STICKY_TIMEOUT_SECONDS over the defaults. */
export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const read = <K extends keyof typeof ENV>(name: K): z.infer<(typeof ENV)[K]['schema']> | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const parsed = ENV[name].schema.safeParse(raw);
    if (!parsed.success) throw new Error(`invalid configuration: ${name} must be ${ENV[name].expected} (got ${JSON.stringify(raw)})`);
    return parsed.data as z.infer<(typeof ENV)[K]['schema']>;
  };
  return {
    maxCachedWorkflows: read('WORKER_MAX_CACHED_WORKFLOWS') ?? DEFAULT_WORKER_TUNING.maxCachedWorkflows,
    workflowTaskPollers: read('WORKER_WORKFLOW_TASK_POLLERS') ?? DEFAULT_WORKER_TUNING.workflowTaskPollers,
    stickyQueueScheduleToStartTimeoutSeconds: read('WORKER_STICKY_TIMEOUT_SECONDS') ?? DEFAULT_WORKER_TUNING.stickyQueueScheduleToStartTimeoutSeconds,
  };
}

/** The Worker.create options a tuning stands for. */
export function workerOptionsOf(tuning: WorkerTuning): Pick<WorkerOptions, 'maxCachedWorkflows' | 'workflowTaskPollerBehavior' | 'stickyQueueScheduleToStartTimeout'> {
  return {
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    workflowTaskPollerBehavior: tuning.workflowTaskPollers === 'autoscaling' ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: tuning.workflowTaskPollers },
    stickyQueueScheduleToStartTimeout: `${tuning.stickyQueueScheduleToStartTimeoutSeconds} seconds`,
  };
}
