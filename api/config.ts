/**
 * The API's configuration, read once from the environment and validated at start-up;
 * a bad value stops the process with a message naming the variable (never its value).
 */
import { z } from 'zod';
import { issuesText } from '../catalog/zod-issues';
import { TASK_QUEUE } from '../workflows/messages';
import { DEFAULT_WORKSPACE_LIMITS, type WorkspaceLimits } from './limits';
import { DEFAULT_INTAKE, type IntakeSettings } from './intake';
import { DEFAULT_KEY_CACHE } from './key-cache';

const apiEnvSchema = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The server admin token: creates workspaces (and nothing else). */
  ADMIN_TOKEN: z.string({ error: 'is required (at least 24 characters)' }).min(24, 'must be at least 24 characters'),
  // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TLS / API key settings: worker/temporal-connection.ts.
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  /** How long a manual Activate/Withdraw or a Test may wait for the provider before answering 202 (pending) or, for a Test, ok: false. */
  MANUAL_ACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Failed authentications (401) per source address and minute before 429. */
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /** Per-workspace caps (api/limits.ts). */
  WORKSPACE_MAX_INTEGRATIONS: z.coerce.number().int().min(1).max(500).default(DEFAULT_WORKSPACE_LIMITS.integrations),
  WORKSPACE_MAX_SCOPE_ENTRIES: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_WORKSPACE_LIMITS.scopeEntries),
  WORKSPACE_MAX_CHANNELS: z.coerce.number().int().min(1).max(100).default(DEFAULT_WORKSPACE_LIMITS.channels),
  WORKSPACE_MAX_DETECTOR_SOURCES: z.coerce.number().int().min(1).max(500).default(DEFAULT_WORKSPACE_LIMITS.detectorSources),
  /** The API's address as detectors reach it (https://scrubbing.example.net), for the URLs detector sources are given; absent: the request's host. */
  API_PUBLIC_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url({ protocol: /^https?$/ }).optional()),
  /** The Temporal UI as operators reach it, for the console's links to workflows; absent: no links. */
  TEMPORAL_UI_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url({ protocol: /^https?$/ }).optional()),
  WORKSPACE_MAX_API_KEYS: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_WORKSPACE_LIMITS.apiKeys),
  /** How long a valid API key is remembered by an API process (0 = never remembered); revocations reach it through API_CHANGE_POLL_MS. */
  API_KEY_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600)
    .default(DEFAULT_KEY_CACHE.ttlMs / 1000),
  /** How often an API process reads what others changed: revoked keys, configuration versions (0 = never: a revocation elsewhere takes API_KEY_CACHE_SECONDS, every report reads its version). */
  API_CHANGE_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_KEY_CACHE.revocationPollMs),
  /** Incident reports a workspace may have waiting for Temporal before 429 (api/intake.ts). */
  INTAKE_MAX_QUEUED_PER_WORKSPACE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_INTAKE.maxQueuedPerWorkspace),
  /** How long an incident report waits for Temporal before the API answers 202 `queued` (it is delivered later). */
  INTAKE_DELIVERY_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_INTAKE.deliveryWaitMs),
  /** A report Temporal has not confirmed after this long is written to the outbox before the answer (api/intake.ts); unset, INTAKE_DELIVERY_WAIT_MS. */
  INTAKE_KEEP_AFTER_MS: z.coerce.number().int().min(0).max(10_000).optional(),
});

export function intakeOf(config: ApiConfig): Partial<IntakeSettings> {
  return { maxQueuedPerWorkspace: config.INTAKE_MAX_QUEUED_PER_WORKSPACE, deliveryWaitMs: config.INTAKE_DELIVERY_WAIT_MS, keepAfterMs: config.INTAKE_KEEP_AFTER_MS ?? config.INTAKE_DELIVERY_WAIT_MS };
}

export function limitsOf(config: ApiConfig): WorkspaceLimits {
  return {
    integrations: config.WORKSPACE_MAX_INTEGRATIONS,
    scopeEntries: config.WORKSPACE_MAX_SCOPE_ENTRIES,
    channels: config.WORKSPACE_MAX_CHANNELS,
    apiKeys: config.WORKSPACE_MAX_API_KEYS,
    detectorSources: config.WORKSPACE_MAX_DETECTOR_SOURCES,
  };
}

export type ApiConfig = z.infer<typeof apiEnvSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  // An empty variable is an unset one (as the worker reads them): the compose file passes some through empty.
  const parsed = apiEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')));
  if (!parsed.success) throw new Error(`invalid configuration: ${issuesText(parsed.error.issues)}`);
  return parsed.data;
}
