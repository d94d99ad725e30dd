/**
 * What every layer knows of a provider: the definition each catalog module declares
 * (catalog/index.ts lists them), and the one interface every provider adapter implements
 * (activities/providers). Adapters receive the stored integration (decrypted credentials
 * included) per call and keep no state between calls; they never log.
 */
import type { z } from 'zod';

/**
 * A provider type as the catalog declares it. The API's integration schemas and OpenAPI, the
 * store's type list, the workflow's view of the provider (operation names, windows) and the
 * worker's registrations are all derived from these.
 */
export interface ProviderDefinition {
  type: string;
  /** For people: the README, the API description. */
  label: string;
  /** The activity type of each operation, as the Temporal UI shows it (`cloudflare.advertise`). */
  operations: { activate: string; withdraw: string };
  /** How long a confirmed diversion stays on, how soon a withdrawn one may come back, and why. */
  timing: ProviderTiming;
  /** The integration's non-secret settings and its credentials (validated by the API, re-checked by the adapter). */
  settings: z.ZodObject;
  credentials: z.ZodObject;
  /** The environment variable that replaces the provider's base URL for every integration (a simulator, a proxy). */
  urlEnv: string;
  /** The provider's own view of an attack, read before a withdrawal (the calm gate); absent: no provider telemetry. */
  telemetry?: TelemetryFacts;
}

/**
 * A provider's telemetry: the activity that reads it (`<type>.readTelemetry`, one call for every
 * integration of the type that needs a reading, grouped by account inside), and the calm gate's
 * defaults for the type, with why (README, How it decides: the calm gate).
 */
export interface TelemetryFacts {
  activity: string;
  /** For people: "Cloudflare network analytics", "OVH Network Defense (VAC)". */
  source: string;
  calm: CalmDefaults;
}

export interface CalmDefaults {
  /** Dropped traffic at or below these counts as calm. */
  droppedBps: number;
  droppedPps: number;
  /** The provider must stay calm this long (seconds) before a withdrawal. */
  calmSeconds: number;
  /** After this long held (seconds), `onMaxWait` decides: withdraw and notify, or keep and notify. */
  maxWaitSeconds: number;
  onMaxWait: 'withdraw' | 'keep';
  why: string;
}

/** What the provider saw of one integration's target over a recent window. */
export interface TelemetryReading {
  /** Mean dropped (scrubbed) traffic over the window. */
  droppedBps: number;
  droppedPps: number;
  /** Mean traffic passed on to the customer, when the provider says. */
  passedBps?: number;
  passedPps?: number;
  /** Attack events the provider still reports as ongoing for the target (OVH VAC events); absent: not reported. */
  ongoingEvents?: number;
  /** The window read, ISO 8601 (the provider's newest minutes are left out: its data lags). */
  from: string;
  to: string;
  /** One line for operators: "Cloudflare network analytics, 198.51.100.0/24". */
  source: string;
}

/** An integration's reading, or why there is none (missing permission, API error, no data). */
export type TelemetryResult = { integrationId: string; reading: TelemetryReading } | { integrationId: string; unavailable: string };

export interface ProviderTiming {
  minActiveSeconds: number;
  reactivateAfterSeconds: number;
  why: string;
}

export interface LoadedIntegration {
  id: string;
  workspaceId: string;
  type: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export interface ProviderStatus {
  /** Whether the provider diverts (or is switching to divert) traffic. */
  diverted: boolean;
  /** A change was accepted but is not in effect yet. */
  pending: boolean;
  /** One line for operators, e.g. "prefix 192.0.2.0/24 advertised". */
  detail: string;
}

export interface ProviderTestResult {
  ok: boolean;
  summary: string;
  warnings: string[];
}

export interface ProviderAdapter {
  activate(integration: LoadedIntegration): Promise<ProviderStatus>;
  withdraw(integration: LoadedIntegration): Promise<ProviderStatus>;
  status(integration: LoadedIntegration): Promise<ProviderStatus>;
  test(integration: LoadedIntegration): Promise<ProviderTestResult>;
  /**
   * The provider's telemetry for these integrations (all of this type, one workspace): one query
   * per account where the provider allows it. Never throws for one integration's problem: that
   * integration's result says `unavailable` with the reason. Only adapters of types with
   * `telemetry` in the catalog have it.
   */
  readTelemetry?(integrations: LoadedIntegration[], now: Date): Promise<TelemetryResult[]>;
}

export type ProviderRegistry = Partial<Record<string, ProviderAdapter>>;

/** Failed provider logins per egress address (activities/providers/login-budget.ts; kept in MongoDB by store/login-failures.ts). */
export interface LoginFailure {
  fingerprint: string;
  at: Date;
}

export interface LoginFailureStore {
  /** Failed logins at the provider from this egress address since `since`. */
  recent(provider: string, since: Date): Promise<LoginFailure[]>;
  record(provider: string, fingerprint: string, at: Date): Promise<void>;
}
