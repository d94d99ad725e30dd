/**
 * `npm run worker`: connects to Temporal and runs the scrubbing worker until
 * SIGINT/SIGTERM. Until the MongoDB store lands (issue C), integrations come
 * from the JSON file named by WORKSPACES_FILE.
 */
import { NativeConnection } from '@temporalio/worker';
import { InMemoryIntegrationStore } from '../activities/integration-store';
import { createProviderRegistry, providerUrlsFromEnv } from '../activities/providers';
import { integrationStoreOf, readWorkspacesFile } from '../activities/workspaces-file';
import { createScrubbingWorker } from './create-worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const worker = await createScrubbingWorker({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    ...(process.env.TEMPORAL_TASK_QUEUE ? { taskQueue: process.env.TEMPORAL_TASK_QUEUE } : {}),
    // A prebuilt bundle (`npm run build` writes one) starts faster than bundling the sources.
    ...(process.env.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH } } : {}),
    dependencies: {
      integrations: process.env.WORKSPACES_FILE
        ? integrationStoreOf(readWorkspacesFile(process.env.WORKSPACES_FILE))
        : new InMemoryIntegrationStore(),
      providers: createProviderRegistry(providerUrlsFromEnv()),
    },
  });
  process.stdout.write(`worker polling task queue ${worker.options.taskQueue}\n`);
  // The SDK shuts the worker down gracefully on SIGINT/SIGTERM.
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
