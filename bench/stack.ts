/**
 * The whole stack, started by the bench and stopped by it: a Temporal dev server, the
 * application database and the provider simulator as child processes (data in a temporary
 * directory), our API and the baseline's endpoint in this process, and two worker processes:
 * ours (the scrubbing worker, as `npm run worker`) and the baseline's.
 */
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi } from '../api/build';
import { CredentialCipher } from '../store/crypto';
import { openDatabase, type Database } from '../store/db';
import { freePort } from '../test/support/net';
import { fetchMetrics, sumByLabel } from './prometheus';
import { temporalCliPath } from '../test/support/tools';
import { TASK_QUEUE } from '../workflows/messages';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { startAppStore } from './app-store';
import { createBaselineApi } from './baseline/api';
import type { BaselinePrefix } from './baseline/messages';
import { writeWorkflowBundles } from './bundles';
import { TEMPORAL_STORES, type BenchConfig } from './config';
import { residentBytes, spawnLogged, stopProcess, waitForPort, type Spawned } from './processes';
import { listenStamped, type StampedServer } from './stamped-server';
import { startWatchedSimulator, type WatchedSimulator } from './watched-simulator';
import { startBenchWorkers, type BenchWorker } from './worker-client';

export interface Stack {
  client: Client;
  database: Database;
  cipher: CredentialCipher;
  /** What the application database runs on. */
  storeDescription: string;
  simulator: WatchedSimulator;
  api: StampedServer;
  baselineApi: StampedServer;
  /** The baseline endpoint's workspaces and their prefixes (its stand-in for the database). */
  baselinePrefixes: Map<string, BaselinePrefix>;
  /** The simulated Cloudflare account every baseline prefix lives in. */
  baselineAccount: { accountId: string; token: string };
  worker: BenchWorker;
  /** `workers`: ours, then the baseline's. */
  pids: { temporal: number; store: number[]; workers: number[]; simulator: number };
  /** Commands the database has answered so far, by name (FerretDB's metrics; undefined on MongoDB). */
  storeCommands(): Promise<Record<string, number> | undefined>;
  /**
   * Calls the Temporal server refused with RESOURCE_EXHAUSTED so far, by cause (its own metrics): the
   * SDK retries those after a second or more, which is how a report comes to wait past the intake's wait.
   */
  temporalRefusals(): Promise<Record<string, number>>;
  /** Tasks the Temporal server ran so far (its `task_requests`), by operation (a timer that fired, a visibility update, an activity dispatched…). */
  temporalTasks(): Promise<Record<string, number>>;
  temporalResidentBytes(): number;
  stop(): Promise<void>;
}

export async function startStack(config: BenchConfig, log: (line: string) => void): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scrubbing-bench-'));
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const [temporalPort, metricsPort, baselineMetricsPort, temporalMetricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const temporal = spawnTemporal(config, dataDir, temporalPort, temporalMetricsPort);
    const temporalMetrics = (name: string) => fetchMetrics(`http://127.0.0.1:${temporalMetricsPort}/metrics`, 'Temporal', [name]);
    stoppers.push(() => stopProcess(temporal.child));
    const simulator = await startWatchedSimulator(openSync(join(dataDir, 'simulator.log'), 'a'));
    stoppers.push(() => simulator.close());
    const [bundlePaths, store] = await Promise.all([writeWorkflowBundles(dataDir), startAppStore(dataDir), waitForPort(temporalPort, temporal)]);
    stoppers.push(() => store.stop());
    log(`Temporal dev server (${TEMPORAL_STORES[config.temporalStore]}) and ${store.description} are up, workflows bundled`);

    const temporalAddress = `127.0.0.1:${temporalPort}`;
    const encryptionKeys = CredentialCipher.generateSpec('bench');
    const baselineAccount = { accountId: randomBytes(16).toString('hex'), token: `baseline-${randomBytes(16).toString('hex')}` };
    const worker = await startBenchWorkers(
      {
        temporalAddress,
        mongoUrl: store.mongoUrl,
        encryptionKeys,
        providerUrls: simulator.providerUrls,
        baselineToken: baselineAccount.token,
        bundlePaths,
        logLevel: config.workerLogLevel,
        tuning: config.tuning,
        experimentalWorkerOptions: config.experiments.workerOptions,
      },
      { scrubbing: metricsPort, baseline: baselineMetricsPort },
      (role) => join(dataDir, `${role === 'scrubbing' ? 'worker' : 'baseline-worker'}.log`),
    );
    stoppers.push(() => worker.stop());
    log("worker processes (ours and the baseline's) are polling");

    const [connection, database] = await Promise.all([Connection.connect({ address: temporalAddress }), openDatabase(store.mongoUrl)]);
    stoppers.push(() => connection.close());
    stoppers.push(() => database.close());
    const client = new Client({ connection });
    const cipher = CredentialCipher.fromSpec(encryptionKeys);
    const app = buildApi({
      client,
      connection,
      database,
      cipher,
      taskQueue: TASK_QUEUE,
      adminToken: randomBytes(24).toString('hex'),
      manualActionTimeoutMs: 30_000,
      requestsPerMinute: 1_000_000_000,
      ...(config.experiments.intakeKeepAfterMs !== undefined ? { intake: { keepAfterMs: config.experiments.intakeKeepAfterMs } } : {}),
    });
    const api = await listenStamped(app);
    stoppers.push(() => api.close().then(() => app.settle()));
    const baselinePrefixes = new Map<string, BaselinePrefix>();
    const baselineApi = await listenStamped(createBaselineApi(client, baselinePrefixes));
    stoppers.push(() => baselineApi.close());

    return {
      client,
      database,
      cipher,
      storeDescription: store.description,
      storeCommands: () => store.commands(),
      temporalRefusals: async () => sumByLabel(await temporalMetrics('service_errors_resource_exhausted'), 'service_errors_resource_exhausted', 'resource_exhausted_cause', 'unknown'),
      temporalTasks: async () => sumByLabel(await temporalMetrics('task_requests'), 'task_requests', 'operation'),
      simulator,
      api,
      baselineApi,
      baselinePrefixes,
      baselineAccount,
      worker,
      pids: { temporal: temporal.child.pid as number, store: store.pids, workers: worker.pids, simulator: simulator.pid },
      temporalResidentBytes: () => residentBytes(temporal.child.pid as number),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function spawnTemporal(config: BenchConfig, dataDir: string, port: number, metricsPort: number): Spawned {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error', '--metrics-port', String(metricsPort)];
  if (config.temporalStore !== 'memory') args.push('--db-filename', join(dataDir, 'temporal.db'));
  if (config.temporalStore === 'file-wal') args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  for (const value of (process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG ?? '').split(/\s+/).filter(Boolean)) args.push('--dynamic-config-value', value);
  for (const key of SEARCH_ATTRIBUTE_KEYS) args.push('--search-attribute', `${key.name}=Keyword`);
  return spawnLogged('Temporal dev server', temporalCliPath(), args, join(dataDir, 'temporal.log'));
}
