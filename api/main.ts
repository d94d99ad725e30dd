/** `npm run api`: the REST API on API_HOST:API_PORT, talking to Temporal and MongoDB. */
import { Client, Connection } from '@temporalio/client';
import { loadStoreConfig } from '../store/config';
import { openDatabase } from '../store/db';
import { outboundPolicyFromEnv } from '../activities/outbound/destination';
import { buildApi } from './build';
import { temporalConnectionFromEnv } from '../worker/temporal-connection';
import { intakeOf, limitsOf, loadApiConfig } from './config';
import { createLogger } from '../telemetry/logger';

const logger = createLogger('api');

async function main(): Promise<void> {
  const config = loadApiConfig();
  const store = loadStoreConfig();
  // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, mutual TLS and API key (worker/temporal-connection.ts).
  const temporal = temporalConnectionFromEnv();
  logger.info(temporal.summary, 'connecting to Temporal');
  const [connection, database] = await Promise.all([Connection.connect(temporal.options), openDatabase(store.mongoUrl)]);
  const client = new Client({ connection, namespace: temporal.namespace });
  const app = buildApi({
    client,
    connection,
    database,
    cipher: store.cipher,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    adminToken: config.ADMIN_TOKEN,
    manualActionTimeoutMs: config.MANUAL_ACTION_TIMEOUT_SECONDS * 1000,
    requestsPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: config.API_AUTH_FAILURES_PER_MINUTE,
    limits: limitsOf(config),
    intake: intakeOf(config),
    keyCacheMs: config.API_KEY_CACHE_SECONDS * 1000,
    changePollMs: config.API_CHANGE_POLL_MS,
    outbound: outboundPolicyFromEnv(),
    logger,
    ...(config.API_PUBLIC_URL ? { publicUrl: config.API_PUBLIC_URL } : {}),
    ...(config.TEMPORAL_UI_URL ? { temporalUiUrl: config.TEMPORAL_UI_URL } : {}),
  });
  const server = app.listen(config.API_PORT, config.API_HOST, () => {
    logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}`, console: `http://${config.API_HOST}:${config.API_PORT}/console/` }, 'api listening');
  });
  const stop = () =>
    server.close(
      () =>
        void app
          .settle()
          .then(() => Promise.all([connection.close(), database.close()]))
          .then(() => process.exit(0)),
    );
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  logger.fatal({ error: err instanceof Error ? err.message : String(err) }, 'api failed');
  process.exit(1);
});
