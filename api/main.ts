/** `npm run api`: the REST API on API_HOST:API_PORT, talking to Temporal. */
import { statSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { readWorkspacesFile, workspaceConfigOf } from '../activities/workspaces-file';
import { createApp } from './app';
import { loadApiConfig } from './config';
import { createScrubbingService } from './scrubbing-service';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const service = createScrubbingService({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    manualActionTimeoutMs: config.MANUAL_ACTION_TIMEOUT_SECONDS * 1000,
    // Read on every request, so edits apply without a restart; the file's mtime versions the snapshot.
    // A development store: issue C replaces it with MongoDB.
    directory: {
      configOf: (ws) => {
        const version = Math.floor(statSync(config.WORKSPACES_FILE).mtimeMs);
        return Promise.resolve(workspaceConfigOf(readWorkspacesFile(config.WORKSPACES_FILE), ws, version));
      },
    },
  });
  const server = createApp({ service, client, connection, apiToken: config.API_TOKEN }).listen(config.API_PORT, config.API_HOST, () => {
    process.stdout.write(`api listening on http://${config.API_HOST}:${config.API_PORT}\n`);
  });
  const stop = () => server.close(() => void connection.close().then(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
