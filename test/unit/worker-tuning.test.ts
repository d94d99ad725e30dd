/** The worker's performance settings (worker/tuning.ts): measured defaults, validated overrides. */
import { DEFAULT_WORKER_TUNING, workerOptionsOf, workerTuningFromEnv } from '../../worker/tuning';

test('without variables the worker runs the measured defaults, stated explicitly', () => {
  expect(workerTuningFromEnv({})).toEqual(DEFAULT_WORKER_TUNING);
  expect(workerOptionsOf(DEFAULT_WORKER_TUNING)).toEqual({
    maxCachedWorkflows: DEFAULT_WORKER_TUNING.maxCachedWorkflows,
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    stickyQueueScheduleToStartTimeout: `${DEFAULT_WORKER_TUNING.stickyQueueScheduleToStartTimeoutSeconds} seconds`,
  });
});

test('each setting can be overridden; a fixed number of pollers is a simple maximum', () => {
  const tuning = workerTuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '250', WORKER_WORKFLOW_TASK_POLLERS: '8', WORKER_STICKY_TIMEOUT_SECONDS: '60' });
  expect(tuning).toEqual({ maxCachedWorkflows: 250, workflowTaskPollers: 8, stickyQueueScheduleToStartTimeoutSeconds: 60 });
  expect(workerOptionsOf(tuning)).toMatchObject({ workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 8 }, stickyQueueScheduleToStartTimeout: '60 seconds' });
});

test.each([
  ['WORKER_MAX_CACHED_WORKFLOWS', '-1', 'an integer ≥ 0'],
  ['WORKER_MAX_CACHED_WORKFLOWS', 'lots', 'an integer ≥ 0'],
  ['WORKER_WORKFLOW_TASK_POLLERS', '1', '"autoscaling" or an integer ≥ 2'],
  ['WORKER_WORKFLOW_TASK_POLLERS', 'auto', '"autoscaling" or an integer ≥ 2'],
  ['WORKER_STICKY_TIMEOUT_SECONDS', '0', 'a positive integer'],
])('%s=%s is refused, naming the variable', (name, value, expected) => {
  expect(() => workerTuningFromEnv({ [name]: value })).toThrow(`invalid configuration: ${name} must be ${expected} (got "${value}")`);
});
