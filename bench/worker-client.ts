/**
 * The bench's side of the worker processes: forks ours and the baseline's (ts-node, like
 * `npm run dev`), waits until they poll, asks for their status over IPC, scrapes Core's
 * Prometheus metrics and reads resident memory. The phases see one `BenchWorker` for both.
 */
import { fork } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerStatus } from '@temporalio/worker';
import { residentBytes, stopProcess } from './processes';
import { parsePrometheus, type MetricSample } from './prometheus';
import type { FromWorker, WorkerProcessConfig } from './worker-protocol';

/** glibc's malloc arenas in both worker processes: as the image and `npm run worker` set them, unless the bench's environment says otherwise. */
export const WORKER_MALLOC_ARENA_MAX = process.env.MALLOC_ARENA_MAX ?? '2';

export interface WorkerSnapshot {
  scrubbing: WorkerStatus;
  baseline: WorkerStatus;
  /** Of our worker process. */
  memory: NodeJS.MemoryUsage;
  /** Resident memory of our worker process (and any children), from /proc. */
  residentBytes: number;
  /** Resident memory of the baseline's worker process. */
  baselineResidentBytes: number;
}

export interface BenchWorker {
  /** Our worker process, then the baseline's. */
  pids: number[];
  snapshot(): Promise<WorkerSnapshot>;
  /** Both processes' metrics (every sample names its task queue). */
  metrics(): Promise<MetricSample[]>;
  stop(): Promise<void>;
}

interface WorkerProcess {
  pid: number;
  status(): Promise<{ status: WorkerStatus; memory: NodeJS.MemoryUsage; residentBytes: number }>;
  metrics(): Promise<MetricSample[]>;
  stop(): Promise<void>;
}

/** Starts our worker process and the baseline's (each with its own metrics port), in parallel. */
export async function startBenchWorkers(
  config: Omit<WorkerProcessConfig, 'role' | 'metricsPort'>,
  ports: { scrubbing: number; baseline: number },
  logFile: (role: WorkerProcessConfig['role']) => string,
): Promise<BenchWorker> {
  const started = await Promise.allSettled([
    startWorkerProcess({ ...config, role: 'scrubbing', metricsPort: ports.scrubbing }, logFile('scrubbing')),
    startWorkerProcess({ ...config, role: 'baseline', metricsPort: ports.baseline }, logFile('baseline')),
  ]);
  const [ours, baseline] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  if (!ours || !baseline) {
    await Promise.all([ours?.stop(), baseline?.stop()]);
    throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
  }
  return {
    pids: [ours.pid, baseline.pid],
    async snapshot() {
      const [a, b] = await Promise.all([ours.status(), baseline.status()]);
      return { scrubbing: a.status, baseline: b.status, memory: a.memory, residentBytes: a.residentBytes, baselineResidentBytes: b.residentBytes };
    },
    async metrics() {
      return (await Promise.all([ours.metrics(), baseline.metrics()])).flat();
    },
    async stop() {
      await Promise.all([ours.stop(), baseline.stop()]);
    },
  };
}

async function startWorkerProcess(config: WorkerProcessConfig, logFile: string): Promise<WorkerProcess> {
  const log = openSync(logFile, 'a');
  const profiles = process.env.BENCH_CPU_PROFILE_DIR;
  const child = fork(require.resolve('./worker-process'), [], {
    // BENCH_CPU_PROFILE_DIR: Node's own profiler, which profiles every thread (the workflow threads too, where
    // the workflow code runs), each into <dir>/<role>/CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile as it exits.
    execArgv: ['-r', 'ts-node/register/transpile-only', ...(profiles ? ['--cpu-prof', `--cpu-prof-dir=${join(profiles, config.role)}`] : [])],
    // The channels phase's receiver is on loopback over http: allowed on purpose, as an operator would.
    env: {
      ...process.env,
      MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX,
      OUTBOUND_ALLOW: '127.0.0.1/32',
      OUTBOUND_ALLOW_HTTP: 'true',
      BENCH_WORKER_CONFIG: JSON.stringify(config),
    },
    stdio: ['ignore', log, log, 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the bench's ${config.role} worker exited (${code}) at start; see ${logFile}`));
    child.once('exit', onExit);
    child.on('message', (message: FromWorker) => {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      resolve();
    });
  });

  let nextId = 0;
  return {
    pid: child.pid as number,
    status() {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the bench's ${config.role} worker did not answer a status request`)), 30_000);
        const onMessage = (message: FromWorker) => {
          if (message.type !== 'status' || message.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve({ status: message.status, memory: message.memory, residentBytes: residentBytes(child.pid as number) });
        };
        child.on('message', onMessage);
        child.send({ type: 'status', id });
      });
    },
    async metrics() {
      const text = await (await fetch(`http://127.0.0.1:${config.metricsPort}/metrics`)).text();
      return parsePrometheus(text);
    },
    stop: () => stopProcess(child, 10_000),
  };
}
