/**
 * Builds the scrubbing worker: the workflow bundle (or its source path) plus
 * the activities made from their dependencies. Shared by `npm run worker` and
 * the tests, so both run the same registration.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { TASK_QUEUE } from '../workflows/messages';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface ScrubbingWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  dependencies: ActivityDependencies;
  /** A prebuilt bundle (tests bundle once per file); otherwise the sources are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>>;
}

export function createScrubbingWorker(options: ScrubbingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.dependencies),
    ...options.tuning,
  });
}
