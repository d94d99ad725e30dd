/**
 * CPU time each part of the stack used during a phase, in seconds: the Temporal server,
 * the worker processes (ours and the baseline's: in a phase of one, the other idles), the application database (FerretDB and what it runs on), and this
 * process (API, baseline endpoint and the load itself), and the provider simulator. On a 2-core machine it
 * shows who the bottleneck is.
 */
import { cpuSeconds } from './processes';
import type { Stack } from './stack';
import { round } from './stats';

export interface CpuTimes {
  temporalServer: number;
  worker: number;
  store: number;
  benchProcess: number;
  /** The provider simulator's process (before the twelfth session: part of `benchProcess`). */
  simulator: number;
}

export function cpuTimes(stack: Stack): CpuTimes {
  const own = process.cpuUsage();
  return {
    temporalServer: cpuSeconds(stack.pids.temporal),
    worker: stack.pids.workers.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    store: stack.pids.store.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    benchProcess: (own.user + own.system) / 1e6,
    simulator: cpuSeconds(stack.pids.simulator),
  };
}

export function cpuSince(before: CpuTimes, stack: Stack): CpuTimes {
  const after = cpuTimes(stack);
  return {
    temporalServer: round(after.temporalServer - before.temporalServer),
    worker: round(after.worker - before.worker),
    store: round(after.store - before.store),
    benchProcess: round(after.benchProcess - before.benchProcess),
    simulator: round(after.simulator - before.simulator),
  };
}
