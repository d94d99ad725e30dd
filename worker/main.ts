/**
 * `npm run worker`: connects to Temporal and MongoDB and runs the scrubbing worker
 * until SIGINT/SIGTERM. Provider base URLs come from the environment only. Logs are
 * JSON lines (pino); metrics are served at WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics,
 * and Temporal's SDK metrics at TEMPORAL_METRICS_PORT.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { notificationOptionsFromEnv } from '../activities/notifications';
import { createProviderRegistry } from '../activities/providers';
import { channelRepository } from '../store/channels';
import { auditRepository } from '../store/audit';
import { loadStoreConfig } from '../store/config';
import { openDatabase } from '../store/db';
import { incidentRepository } from '../store/incidents';
import { integrationRepository } from '../store/integrations';
import { workspaceRepository } from '../store/workspaces';
import { loginFailureRepository } from '../store/login-failures';
import { createLogger } from '../telemetry/logger';
import { temporalLogger } from '../telemetry/temporal-logger';
import { createWorkerMetrics, serveMetrics } from '../telemetry/worker-metrics';
import { createScrubbingWorkers } from './create-worker';
import { ensureSearchAttributes } from './search-attributes';
import { temporalConnectionFromEnv } from './temporal-connection';
import { workerTuningFromEnv } from './tuning';
import { loadWorkerConfig } from './config';

const logger = createLogger('worker');

async function main(): Promise<void> {
  // Every setting is validated before anything connects: a bad value names its variable.
  const config = loadWorkerConfig();
  const store = loadStoreConfig();
  const performance = workerTuningFromEnv();
  const temporal = temporalConnectionFromEnv();
  const { namespace } = temporal;
  const metricsHost = config.WORKER_METRICS_HOST;
  // Either port may be `off`; 0 picks a free one.
  const metricsPort = config.WORKER_METRICS_PORT;
  const temporalMetricsPort = config.TEMPORAL_METRICS_PORT;
  Runtime.install({
    logger: temporalLogger(logger),
    ...(temporalMetricsPort === 'off' ? {} : { telemetryOptions: { metrics: { prometheus: { bindAddress: `${metricsHost}:${temporalMetricsPort}` } } } }),
  });
  const metrics = createWorkerMetrics({ maxWorkspaces: config.METRICS_MAX_WORKSPACES });
  const metricsServer = metricsPort === 'off' ? undefined : await serveMetrics(metrics.registry, metricsPort, metricsHost);
  logger.info(temporal.summary, 'connecting to Temporal');
  if (temporal.registerSearchAttributes) {
    const registered = await ensureSearchAttributes(temporal.options, namespace);
    if (registered.length > 0) logger.info({ registered }, 'registered search attributes');
  }
  const [database, connection] = await Promise.all([openDatabase(store.mongoUrl), NativeConnection.connect(temporal.options)]);
  const { main: worker, background } = await createScrubbingWorkers({
    connection,
    namespace,
    ...(config.TEMPORAL_TASK_QUEUE ? { taskQueue: config.TEMPORAL_TASK_QUEUE } : {}),
    // A prebuilt bundle (`npm run build` writes one) starts faster than bundling the sources.
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
    performance,
    dependencies: {
      integrations: integrationRepository(database.models, store.cipher, config.WORKER_CHANGE_POLL_MS > 0 ? { operationCache: { pollMs: config.WORKER_CHANGE_POLL_MS } } : {}),
      incidents: incidentRepository(database.models),
      configs: workspaceRepository(database.models),
      audit: auditRepository(database.models),
      providers: createProviderRegistry(config.providerUrls, {
        loginFailures: loginFailureRepository(database.models, config.PROVIDER_EGRESS_ID),
        loginFailureBudget: config.LOGIN_FAILURE_BUDGET,
      }),
      notifications: notificationOptionsFromEnv(channelRepository(database.models, store.cipher)),
      metrics,
    },
  });
  const bound = metricsServer?.address();
  const metricsUrl = bound && typeof bound === 'object' ? `http://${metricsHost}:${bound.port}/metrics` : 'off';
  logger.info({ taskQueue: worker.options.taskQueue, backgroundTaskQueue: background.options.taskQueue, metrics: metricsUrl, performance }, 'worker polling task queue');
  // The SDK shuts both workers down gracefully on SIGINT/SIGTERM.
  await Promise.all([worker.run(), background.run()]);
  metricsServer?.close();
  await Promise.all([connection.close(), database.close()]);
}

main().catch((err: unknown) => {
  logger.fatal({ error: err instanceof Error ? err.message : String(err) }, 'worker failed');
  process.exit(1);
});
