/**
 * Builds the scrubbing workers: the workflow bundle (or its source path) plus the activities
 * made from their dependencies on the workflows' task queue, and a second worker on the
 * background task queue for notifications, status reads, audit records and purges, with
 * slots of its own. Shared by `npm run worker` and the tests, so both run the same registration.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { AUDIT_ACTIVITY, NOTIFY_ACTIVITY, PURGE_ACTIVITY } from '../workflows/activity-names';
import { telemetryActivityNames } from '../catalog';
import { TASK_QUEUE, backgroundTaskQueue } from '../workflows/messages';
import { DEFAULT_WORKER_TUNING, workerOptionsOf, type WorkerTuning } from './tuning';
import { WORKFLOW_BUNDLE_OPTIONS } from './workflow-bundle';

export interface ScrubbingWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  dependencies: ActivityDependencies;
  /** A prebuilt bundle (tests bundle once per file); otherwise the sources are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Cache, pollers and sticky queue (worker/tuning.ts); the measured defaults when absent. */
  performance?: WorkerTuning;
  /** Worker options over everything else (tests, bench experiments). */
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>>;
}

/** The activities the background worker serves (the workflow schedules them on its queue). */
const BACKGROUND_ACTIVITIES = ['integrationStatus', AUDIT_ACTIVITY, PURGE_ACTIVITY, NOTIFY_ACTIVITY, ...telemetryActivityNames()];

/** Workflows and provider operations (and, for runs started before the background queue, the rest too). */
export function createScrubbingWorker(options: ScrubbingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath, bundlerOptions: { preloadModules: WORKFLOW_BUNDLE_OPTIONS.preloadModules } }),
    activities: createActivities(options.dependencies),
    ...workerOptionsOf(options.performance ?? DEFAULT_WORKER_TUNING),
    ...options.tuning,
  });
}

/** Notifications, status reads and bookkeeping on the background task queue, with their own slots. */
function createBackgroundWorker(options: Omit<ScrubbingWorkerOptions, 'workflowBundle'>): Promise<Worker> {
  const all: Record<string, unknown> = createActivities(options.dependencies);
  const { maxConcurrentActivityTaskExecutions } = options.tuning ?? {};
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: backgroundTaskQueue(options.taskQueue ?? TASK_QUEUE),
    activities: Object.fromEntries(BACKGROUND_ACTIVITIES.map((name) => [name, all[name]])),
    ...(maxConcurrentActivityTaskExecutions === undefined ? {} : { maxConcurrentActivityTaskExecutions }),
  });
}

/** Both workers, run together until `fn` settles (tests) or until shut down (SIGINT/SIGTERM). */
export async function createScrubbingWorkers(options: ScrubbingWorkerOptions): Promise<{ main: Worker; background: Worker }> {
  const [main, background] = await Promise.all([createScrubbingWorker(options), createBackgroundWorker(options)]);
  return { main, background };
}
