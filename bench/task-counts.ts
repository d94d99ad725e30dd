/**
 * What the worker did and how long it waited, from Core's metrics per task queue:
 * workflow tasks and activities completed, and the histograms' sums, so a phase's deltas
 * give "workflow tasks per divert" and where a divert's time goes.
 */
import { metricSum } from './prometheus';
import type { BenchWorker } from './worker-client';

export interface TaskCounts {
  workflowTasks: number;
  activities: number;
  /** Workflow tasks served from the worker's sticky cache (the others started a workflow or replayed its history). */
  stickyCacheHits: number;
  /** Sums in ms of the latency histograms, and the counts that go with them. */
  sums: Record<LatencyName, { sum: number; count: number }>;
}

const LATENCIES = {
  workflowTaskScheduleToStart: 'temporal_workflow_task_schedule_to_start_latency',
  workflowTaskExecution: 'temporal_workflow_task_execution_latency',
  activityScheduleToStart: 'temporal_activity_schedule_to_start_latency',
  activityExecution: 'temporal_activity_execution_latency',
} as const;
type LatencyName = keyof typeof LATENCIES;

export async function taskCounts(worker: BenchWorker, taskQueue: string, activityType?: string): Promise<TaskCounts> {
  const samples = await worker.metrics();
  const where = { task_queue: taskQueue };
  const activityWhere = activityType ? { ...where, activity_type: activityType } : where;
  const sums = Object.fromEntries(
    Object.entries(LATENCIES).map(([name, metric]) => {
      // Only the execution histogram names the activity type.
      const filter = name === 'activityExecution' ? activityWhere : where;
      return [name, { sum: metricSum(samples, `${metric}_sum`, filter), count: metricSum(samples, `${metric}_count`, filter) }];
    }),
  ) as TaskCounts['sums'];
  return {
    workflowTasks: metricSum(samples, 'temporal_workflow_task_execution_latency_count', where),
    activities: metricSum(samples, 'temporal_activity_execution_latency_count', where),
    stickyCacheHits: metricSum(samples, 'temporal_sticky_cache_hit', where),
    sums,
  };
}

export interface PerItem {
  workflowTasks: number;
  activities: number;
  /** Mean ms over the phase: workflow tasks waiting for and running on the worker, all activities waiting, the divert activity running. */
  meanMs: Record<LatencyName, number>;
}

export function perItem(before: TaskCounts, after: TaskCounts, items: number): PerItem {
  const round = (value: number) => Math.round(value * 100) / 100;
  const per = (a: number, b: number) => round((b - a) / Math.max(items, 1));
  const meanMs = Object.fromEntries(
    (Object.keys(LATENCIES) as LatencyName[]).map((name) => {
      const count = after.sums[name].count - before.sums[name].count;
      return [name, count > 0 ? Math.round(((after.sums[name].sum - before.sums[name].sum) / count) * 10) / 10 : NaN];
    }),
  ) as PerItem['meanMs'];
  return { workflowTasks: per(before.workflowTasks, after.workflowTasks), activities: per(before.activities, after.activities), meanMs };
}
