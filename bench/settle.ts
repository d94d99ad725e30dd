/** Waits until the worker processes have nothing in flight and its completed-task count stopped moving. */
import { sleep } from './clock';
import { taskCounts } from './task-counts';
import type { BenchWorker } from './worker-client';

export async function workerSettled(worker: BenchWorker, taskQueues: string[], { quietMs = 300, timeoutMs = 120_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const snapshot = await worker.snapshot();
    const counts = await Promise.all(taskQueues.map((queue) => taskCounts(worker, queue)));
    const busy = [snapshot.scrubbing, snapshot.baseline].some((s) => s.numInFlightWorkflowActivations > 0 || s.numInFlightActivities > 0);
    const fingerprint = JSON.stringify(counts);
    if (busy || fingerprint !== last) {
      last = fingerprint;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`the worker did not settle within ${timeoutMs} ms`);
}
