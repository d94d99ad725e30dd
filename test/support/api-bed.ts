/**
 * The API test bed: the real API (real MongoDB-protocol storage, real Temporal) on a
 * loopback port, a worker whose activities load and decrypt credentials from the same
 * database, and an HTTP client that keeps every response body for the secret scan.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../api/build';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { IntakeSettings } from '../../api/intake';
import type { WorkspaceLimits } from '../../api/limits';
import { outboundPolicyFromEnv, type OutboundPolicy } from '../../activities/outbound/destination';
import { CredentialCipher } from '../../store/crypto';
import { auditRepository } from '../../store/audit';
import { channelRepository } from '../../store/channels';
import { incidentRepository } from '../../store/incidents';
import { workspaceRepository } from '../../store/workspaces';
import { integrationRepository } from '../../store/integrations';
import { TASK_QUEUE } from '../../workflows/messages';
import { withWorker, type Bed } from './bed';
import { openTestDatabase } from './database';
import { recordEvidence } from './secret-scan';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const LOOPBACK_RECEIVERS = outboundPolicyFromEnv({ OUTBOUND_ALLOW: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' });

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ApiBed {
  url: string;
  cipher: CredentialCipher;
  database: Awaited<ReturnType<typeof openTestDatabase>>;
  /** Every response body the tests received, for the secret scan. */
  responses: string[];
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  /** Runs the real worker (MongoDB store, simulated providers) on the API's task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startApi(
  bed: Bed,
  options: {
    requestsPerMinute?: number;
    authFailuresPerMinute?: number;
    database?: ApiBed['database'];
    manualActionTimeoutMs?: number;
    /** Where the worker's notification activity sends PagerDuty events (the channels come from the database). */
    pagerDutyUrl?: string;
    limits?: Partial<WorkspaceLimits>;
    outbound?: OutboundPolicy;
    intake?: Partial<IntakeSettings>;
    /** Another Temporal server than the bed's (a test that stops and restarts it); the worker connects there too. */
    temporal?: { client: Client; connection: Connection; nativeConnection?: NativeConnection };
    /** Temporal calls other than manual actions give up after this long (default 10 s). */
    callTimeoutMs?: number;
    keyCacheMs?: number;
    changePollMs?: number;
    /** TEMPORAL_UI_URL of the API (the console's links); default none. */
    temporalUiUrl?: string;
    /** The built console it serves; default console/dist. */
    consoleDir?: string;
  } = {},
): Promise<ApiBed> {
  const database = options.database ?? (await openTestDatabase());
  const cipher = CredentialCipher.fromSpec(CredentialCipher.generateSpec('test'));
  const app = buildApi({
    client: options.temporal?.client ?? bed.env.client,
    connection: options.temporal?.connection ?? bed.env.connection,
    database,
    cipher,
    taskQueue: TASK_QUEUE,
    adminToken: ADMIN_TOKEN,
    manualActionTimeoutMs: options.manualActionTimeoutMs ?? 30_000,
    requestsPerMinute: options.requestsPerMinute ?? 100_000,
    authFailuresPerMinute: options.authFailuresPerMinute ?? 100_000,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.intake ? { intake: options.intake } : {}),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
    ...(options.keyCacheMs === undefined ? {} : { keyCacheMs: options.keyCacheMs }),
    ...(options.changePollMs === undefined ? {} : { changePollMs: options.changePollMs }),
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
    // The tests' receivers listen on loopback over http: the operator's allow-list permits them.
    outbound: options.outbound ?? LOOPBACK_RECEIVERS,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const responses: string[] = [];
  return {
    url,
    cipher,
    database,
    responses,
    async call(method, path, { token = null, body, headers = {} } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      responses.push(text);
      recordEvidence('api-response', text);
      return { status: response.status, headers: response.headers, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
    },
    withWorker: (fn) =>
      withWorker(
        options.temporal?.nativeConnection ? { ...bed, env: { ...bed.env, nativeConnection: options.temporal.nativeConnection } as Bed['env'] } : bed,
        TASK_QUEUE,
        integrationRepository(database.models, cipher),
        fn,
        auditRepository(database.models),
        {
          incidents: incidentRepository(database.models),
          configs: workspaceRepository(database.models),
          notifications: {
            channels: channelRepository(database.models, cipher),
            pagerDutyUrl: options.pagerDutyUrl ?? 'http://127.0.0.1:9/unused',
            outbound: options.outbound ?? LOOPBACK_RECEIVERS,
            temporalUiUrl: 'http://temporal-ui.test',
          },
        },
      ),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.settle(); // manual actions answered 202 end before the test's connection closes
      if (!options.database) await database.close(); // a borrowed database stays open
    },
  };
}
