/**
 * `npm run worker`: connects to Temporal and runs the scrubbing worker until
 * SIGINT/SIGTERM. Until the MongoDB store lands (issue C), integrations come
 * from the JSON file named by INTEGRATIONS_FILE.
 */
import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { InMemoryIntegrationStore } from '../activities/integration-store';
import { createProviderRegistry, providerUrlsFromEnv } from '../activities/providers';
import type { LoadedIntegration } from '../activities/providers/types';
import { createScrubbingWorker } from './create-worker';

function loadIntegrations(path: string | undefined): InMemoryIntegrationStore {
  const store = new InMemoryIntegrationStore();
  if (!path) return store;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as LoadedIntegration[];
  parsed.forEach((integration) => store.put(integration));
  return store;
}

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const worker = await createScrubbingWorker({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    dependencies: {
      integrations: loadIntegrations(process.env.INTEGRATIONS_FILE),
      providers: createProviderRegistry(providerUrlsFromEnv()),
    },
  });
  // The SDK shuts the worker down gracefully on SIGINT/SIGTERM.
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
