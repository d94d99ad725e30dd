/**
 * The worker's configuration, read once from the environment and validated at start-up like
 * the API's (api/config.ts): a bad value stops the process with a message naming the variable
 * (never its value). An empty variable counts as unset (compose files often write `VAR=`).
 * Temporal's connection settings are in worker/temporal-connection.ts, performance settings in
 * worker/tuning.ts, storage in store/config.ts.
 */
import { DEFAULT_RECORD_CACHE } from '../store/record-cache';
import { z } from 'zod';
import { PROVIDERS } from '../catalog';
import { issuesText } from '../catalog/zod-issues';
import type { ProviderUrls } from '../activities/providers';

const port = z
  .string()
  .refine((v) => v === 'off' || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), 'must be a port (0 picks a free one) or "off"')
  .transform((v) => (v === 'off' ? ('off' as const) : Number(v)));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const workerEnvSchema = z.object({
  /** The task queue to poll (its background twin is derived from it); default `scrubbing`. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  /** A prebuilt workflow bundle (`npm run build` writes one): starts faster than bundling the sources. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9464),
  TEMPORAL_METRICS_PORT: port.default(9465),
  /** Workspaces the worker's metrics name one by one; the others are summed as `other`. */
  METRICS_MAX_WORKSPACES: z.coerce.number().int().min(0).max(10_000).default(50),
  /** The address this worker calls providers from, shared by workers behind one NAT: failed logins are budgeted per egress. */
  PROVIDER_EGRESS_ID: z.string().min(1).max(200).default('default'),
  /** Failed provider logins allowed per lock window: 1 or 2 (Robot locks an address out after 3). */
  LOGIN_FAILURE_BUDGET: z.coerce
    .number()
    .pipe(z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2 (Robot locks an address out after 3 failed logins)' }))
    .default(2),
  /**
   * How often the worker reads the integrations changed lately (store/record-cache.ts): an integration is read once and
   * remembered (credentials encrypted) until a change reaches it this way; 0 = read on every operation.
   */
  WORKER_CHANGE_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_RECORD_CACHE.pollMs),
  // Notification endpoints (provider base URLs: providerUrlSchema).
  PAGERDUTY_EVENTS_URL: httpUrl.optional(),
  TEMPORAL_UI_URL: httpUrl.optional(),
  /** Internal receivers allowed on purpose (activities/outbound/destination.ts): comma-separated hosts or CIDRs. */
  OUTBOUND_ALLOW: z.string().optional(),
  OUTBOUND_ALLOW_HTTP: z
    .string()
    .regex(/^(1|true|yes|0|false|no)$/i, 'must be true or false')
    .optional(),
});

/** Provider base URLs (tests and the simulator; never per integration): the variable each catalog provider names (`urlEnv`). */
const providerUrlSchema = z.object(Object.fromEntries(PROVIDERS.map((p) => [p.urlEnv, httpUrl.optional()])));

export type WorkerConfig = z.infer<typeof workerEnvSchema> & { providerUrls: ProviderUrls };

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = workerEnvSchema.safeParse(set);
  const urls = providerUrlSchema.safeParse(set);
  const issues = [...(parsed.error?.issues ?? []), ...(urls.error?.issues ?? [])];
  if (!parsed.success || !urls.success) throw new Error(`invalid configuration: ${issuesText(issues)}`);
  const providerUrls: ProviderUrls = Object.fromEntries(
    PROVIDERS.flatMap((p) => {
      const url = urls.data[p.urlEnv];
      return typeof url === 'string' ? [[p.type, url]] : [];
    }),
  );
  return { ...parsed.data, providerUrls };
}
