/**
 * A bench worker process: either the real scrubbing worker (MongoDB store, real adapters
 * pointed at the simulator; its main and background workers, as `npm run worker` runs them)
 * or the bare baseline worker on its own task queue and bundle. Each runs in its own child
 * process, as each would in production, so the resident memory measured is our worker's
 * alone. Exposes Core's Prometheus metrics and answers status requests from the bench over IPC.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createProviderRegistry } from '../activities/providers';
import { notificationOptionsFromEnv } from '../activities/notifications';
import { auditRepository } from '../store/audit';
import { channelRepository } from '../store/channels';
import { CredentialCipher } from '../store/crypto';
import { openDatabase } from '../store/db';
import { incidentRepository } from '../store/incidents';
import { integrationRepository } from '../store/integrations';
import { workspaceRepository } from '../store/workspaces';
import { createScrubbingWorkers } from '../worker/create-worker';
import { DEFAULT_WORKER_TUNING, workerOptionsOf } from '../worker/tuning';
import { createBaselineActivities } from './baseline/activity';
import { BASELINE_TASK_QUEUE } from './baseline/messages';
import type { FromWorker, ToWorker, WorkerProcessConfig, WorkerTuning } from './worker-protocol';

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? '{}') as WorkerProcessConfig;
  Runtime.install({
    logger: new DefaultLogger(config.logLevel),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.metricsPort}` } } },
  });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  // Options createScrubbingWorker's `tuning` does not name (pollers, sticky queue) reach Worker.create
  // through its spread: how the bench measures changes proposed for worker/create-worker.ts.
  const tuning = { ...config.tuning, ...config.experimentalWorkerOptions } as WorkerTuning;
  let workers: Worker[];
  let close = () => connection.close();
  if (config.role === 'scrubbing') {
    const database = await openDatabase(config.mongoUrl);
    const cipher = CredentialCipher.fromSpec(config.encryptionKeys);
    const { main: scrubbing, background } = await createScrubbingWorkers({
      connection,
      workflowBundle: { codePath: config.bundlePaths.scrubbing },
      dependencies: {
        integrations: integrationRepository(database.models, cipher, { operationCache: {} }), // as worker/main.ts ships
        incidents: incidentRepository(database.models),
        configs: workspaceRepository(database.models),
        audit: auditRepository(database.models),
        providers: createProviderRegistry(config.providerUrls),
        // As worker/main.ts: the bench's workspaces have no channels, but the workflow still asks.
        notifications: notificationOptionsFromEnv(channelRepository(database.models, cipher)),
      },
      tuning,
    });
    workers = [scrubbing, background];
    close = () => Promise.all([connection.close(), database.close()]).then(() => undefined);
  } else {
    workers = [
      await Worker.create({
        connection,
        taskQueue: BASELINE_TASK_QUEUE,
        workflowBundle: { codePath: config.bundlePaths.baseline },
        activities: createBaselineActivities(config.providerUrls.cloudflare, config.baselineToken),
        // The same worker settings as ours: what ships (worker/tuning.ts), then the bench's overrides.
        ...workerOptionsOf(DEFAULT_WORKER_TUNING),
        ...tuning,
      }),
    ];
  }

  process.on('message', (message: ToWorker) => {
    if (message.type !== 'status') return;
    const reply: FromWorker = { type: 'status', id: message.id, status: workers[0]!.getStatus(), memory: process.memoryUsage() };
    process.send?.(reply);
  });
  // The bench went away without stopping us: shut down as on SIGTERM.
  process.once('disconnect', () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  const running = Promise.all(workers.map((worker) => worker.run()));
  process.send?.({ type: 'ready' } satisfies FromWorker);
  // The runtime shuts every worker down on SIGTERM; run() then resolves.
  await running;
  await close();
  process.disconnect?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
