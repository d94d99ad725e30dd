/**
 * The bench's side of the worker process: forks it (ts-node, like `npm run dev`), waits
 * until both workers poll, asks for their status over IPC, scrapes Core's Prometheus
 * metrics and reads its resident memory.
 */
import { fork } from 'node:child_process';
import { openSync } from 'node:fs';
import type { WorkerStatus } from '@temporalio/worker';
import { residentBytes, stopProcess } from './processes';
import type { FromWorker, WorkerProcessConfig } from './worker-protocol';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface WorkerSnapshot {
  scrubbing: WorkerStatus;
  baseline: WorkerStatus;
  memory: NodeJS.MemoryUsage;
  /** Resident memory of the worker process (and any children), from /proc. */
  residentBytes: number;
}

export interface BenchWorker {
  pid: number;
  snapshot(): Promise<WorkerSnapshot>;
  metrics(): Promise<MetricSample[]>;
  stop(): Promise<void>;
}

export async function startBenchWorker(config: WorkerProcessConfig, logFile: string): Promise<BenchWorker> {
  const log = openSync(logFile, 'a');
  const child = fork(require.resolve('./worker-process'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    // The channels phase's receiver is on loopback over http: allowed on purpose, as an operator would.
    env: { ...process.env, OUTBOUND_ALLOW: '127.0.0.1/32', OUTBOUND_ALLOW_HTTP: 'true', BENCH_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', log, log, 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the bench worker exited (${code}) at start; see ${logFile}`));
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
    snapshot() {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the bench worker did not answer a status request')), 30_000);
        const onMessage = (message: FromWorker) => {
          if (message.type !== 'status' || message.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          const { scrubbing, baseline, memory } = message;
          resolve({ scrubbing, baseline, memory, residentBytes: residentBytes(child.pid as number) });
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

export function parsePrometheus(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric over every sample whose labels include `where`. */
export function metricSum(samples: MetricSample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
