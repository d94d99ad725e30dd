/** The real `npm run worker` (and `npm run api`) entry points as their own processes, for tests that kill them or need them whole. */
import { spawn, type ChildProcess } from 'node:child_process';
import { recordEvidence } from './secret-scan';
import { REPO_ROOT } from './tools';
import { PROVIDERS, type ProviderType } from '../../catalog';

/** A worker process's environment for the test bed: the simulator's providers, a prebuilt bundle, metrics on a free port. */
export function workerBedEnv(sim: { providerUrls: Record<ProviderType, string> }, bundlePath: string): Record<string, string> {
  return {
    WORKFLOW_BUNDLE_PATH: bundlePath,
    ...Object.fromEntries(PROVIDERS.map((p) => [p.urlEnv, sim.providerUrls[p.type]])),
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: 'off',
  };
}

export function spawnWorker(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  return spawnEntry('worker/main.ts', 'worker polling', env);
}

/** `npm run api`, ready once it listens. */
export function spawnApi(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  return spawnEntry('api/main.ts', 'api listening', env);
}

function spawnEntry(entry: string, readyLine: string, env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    recordEvidence('log-line', chunk.toString());
  });
  child.stdout?.on('data', (chunk: Buffer) => recordEvidence('log-line', chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(readyLine)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${entry} exited early (${code}): ${stderr}`)));
  });
  return { child, ready };
}

/** SIGKILL, and wait for the exit. */
export async function killWorker(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
