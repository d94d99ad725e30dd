/**
 * `npm run worker`: connects to Temporal and MongoDB and runs the scrubbing worker
 * until SIGINT/SIGTERM. Provider base URLs come from the environment only.
 */
import { NativeConnection } from '@temporalio/worker';
import { notificationOptionsFromEnv } from '../activities/notifications';
import { createProviderRegistry, providerUrlsFromEnv } from '../activities/providers';
import { channelRepository } from '../store/channels';
import { auditRepository } from '../store/audit';
import { loadStoreConfig } from '../store/config';
import { openDatabase } from '../store/db';
import { integrationRepository } from '../store/integrations';
import { createScrubbingWorker } from './create-worker';
import { ensureSearchAttributes } from './search-attributes';

async function main(): Promise<void> {
  const store = loadStoreConfig();
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const registered = await ensureSearchAttributes(address, namespace);
  if (registered.length > 0) process.stdout.write(`registered search attributes: ${registered.join(', ')}\n`);
  const [database, connection] = await Promise.all([openDatabase(store.mongoUrl), NativeConnection.connect({ address })]);
  const worker = await createScrubbingWorker({
    connection,
    namespace,
    ...(process.env.TEMPORAL_TASK_QUEUE ? { taskQueue: process.env.TEMPORAL_TASK_QUEUE } : {}),
    // A prebuilt bundle (`npm run build` writes one) starts faster than bundling the sources.
    ...(process.env.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH } } : {}),
    dependencies: {
      integrations: integrationRepository(database.models, store.cipher),
      audit: auditRepository(database.models),
      providers: createProviderRegistry(providerUrlsFromEnv()),
      notifications: notificationOptionsFromEnv(channelRepository(database.models, store.cipher)),
    },
  });
  process.stdout.write(`worker polling task queue ${worker.options.taskQueue}\n`);
  // The SDK shuts the worker down gracefully on SIGINT/SIGTERM.
  await worker.run();
  await Promise.all([connection.close(), database.close()]);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
