/**
 * An integration's configuration, defined once: the fields every provider type shares (a type's
 * own settings and credentials are its catalog entry's). Everything else is derived from this
 * schema or checked against it: the API's input and output schemas (api/schemas.ts), the stored
 * record and its mongoose schema (store/), the workflow's snapshot (store/workspaces.ts) and
 * the workflow's `IntegrationConfig` (workflows/state.ts). Pure: no I/O.
 */
import { z } from 'zod';

/** What reconciliation does when the provider differs from our state: re-apply ours, or only report it. */
export const DRIFT_ACTIONS = ['repair', 'report'] as const;
/** Overrides of a provider type's windows (seconds, at most a day); null = the provider default. */
export const MAX_WINDOW_SECONDS = 86_400;

const windowSeconds = z.number().int().min(0).max(MAX_WINDOW_SECONDS).nullable();
/** What the calm gate does once a withdrawal has been held for its maximum wait (README, How it decides: the calm gate). */
export const CALM_WAIT_OUTCOMES = ['withdraw', 'keep'] as const;
/** Dropped-traffic thresholds: at most 10 Tbps / 10 Gpps; null = the provider type's default. */
export const MAX_CALM_RATE = 1e13;
const calmRate = z.number().int().min(0).max(MAX_CALM_RATE).nullable();

/** As stored and returned: every field present. */
export const integrationConfig = z.object({
  name: z.string(),
  /** An incident triggers it automatically. */
  autoDivert: z.boolean(),
  /** 'workspace': any incident triggers it; else the CIDRs a target must fall in. */
  scope: z.union([z.literal('workspace'), z.array(z.string())]),
  /** Record decisions (would divert / would withdraw) without calling the provider. */
  dryRun: z.boolean(),
  onDrift: z.enum(DRIFT_ACTIONS),
  minActiveSeconds: windowSeconds,
  reactivateAfterSeconds: windowSeconds,
  /** Where the provider has telemetry: a withdrawal also waits until the provider reports calm (the calm gate). */
  calmGate: z.boolean(),
  /** Dropped traffic at or below these counts as calm; null = the provider type's default. */
  calmDroppedBps: calmRate,
  calmDroppedPps: calmRate,
  /** How long the provider must stay calm before a withdrawal; null = the provider type's default. */
  calmSeconds: windowSeconds,
  /** The longest a withdrawal is held for the provider; then `calmOnMaxWait`. null = the provider type's default. */
  calmMaxWaitSeconds: windowSeconds,
  calmOnMaxWait: z.enum(CALM_WAIT_OUTCOMES).nullable(),
});
export type IntegrationConfigRecord = z.infer<typeof integrationConfig>;
export type IntegrationConfigField = keyof IntegrationConfigRecord;
export const INTEGRATION_CONFIG_FIELDS = Object.keys(integrationConfig.shape) as IntegrationConfigField[];

/** What a new integration, or a record written before a field existed, has when a field is not given. */
export const INTEGRATION_DEFAULTS = {
  autoDivert: true,
  scope: 'workspace',
  dryRun: false,
  onDrift: 'repair',
  minActiveSeconds: null,
  reactivateAfterSeconds: null,
  calmGate: true,
  calmDroppedBps: null,
  calmDroppedPps: null,
  calmSeconds: null,
  calmMaxWaitSeconds: null,
  calmOnMaxWait: null,
} as const satisfies Omit<IntegrationConfigRecord, 'name'>;

/** As given on create: the name, and any field with a default. */
export type IntegrationConfigInput = Pick<IntegrationConfigRecord, 'name'> & Partial<Omit<IntegrationConfigRecord, 'name'>>;

/** The whole configuration: what is given, the defaults for the rest. */
export function withIntegrationDefaults(given: IntegrationConfigInput): IntegrationConfigRecord {
  return {
    name: given.name,
    autoDivert: given.autoDivert ?? INTEGRATION_DEFAULTS.autoDivert,
    scope: given.scope ?? INTEGRATION_DEFAULTS.scope,
    dryRun: given.dryRun ?? INTEGRATION_DEFAULTS.dryRun,
    onDrift: given.onDrift ?? INTEGRATION_DEFAULTS.onDrift,
    minActiveSeconds: given.minActiveSeconds ?? INTEGRATION_DEFAULTS.minActiveSeconds,
    reactivateAfterSeconds: given.reactivateAfterSeconds ?? INTEGRATION_DEFAULTS.reactivateAfterSeconds,
    calmGate: given.calmGate ?? INTEGRATION_DEFAULTS.calmGate,
    calmDroppedBps: given.calmDroppedBps ?? INTEGRATION_DEFAULTS.calmDroppedBps,
    calmDroppedPps: given.calmDroppedPps ?? INTEGRATION_DEFAULTS.calmDroppedPps,
    calmSeconds: given.calmSeconds ?? INTEGRATION_DEFAULTS.calmSeconds,
    calmMaxWaitSeconds: given.calmMaxWaitSeconds ?? INTEGRATION_DEFAULTS.calmMaxWaitSeconds,
    calmOnMaxWait: given.calmOnMaxWait ?? INTEGRATION_DEFAULTS.calmOnMaxWait,
  };
}

/**
 * The workflow's view of it (`WorkspaceConfig.integrations`): only what differs from the defaults,
 * so the snapshots of older configurations, and the histories that carry them, stay as they were.
 */
export type IntegrationSnapshot = { id: string; type: string; name?: string } & Partial<{
  [K in Exclude<IntegrationConfigField, 'name'>]: Exclude<IntegrationConfigRecord[K], null>;
}>;

export function integrationSnapshot(id: string, type: string, config: IntegrationConfigRecord): IntegrationSnapshot {
  return {
    id,
    type,
    name: config.name,
    autoDivert: config.autoDivert,
    scope: config.scope,
    ...(config.dryRun ? { dryRun: true } : {}),
    ...(config.onDrift === 'report' ? { onDrift: 'report' as const } : {}),
    ...(typeof config.minActiveSeconds === 'number' ? { minActiveSeconds: config.minActiveSeconds } : {}),
    ...(typeof config.reactivateAfterSeconds === 'number' ? { reactivateAfterSeconds: config.reactivateAfterSeconds } : {}),
    // A record written before the calm gate has no such fields: the defaults.
    ...(config.calmGate === false ? { calmGate: false } : {}),
    ...(typeof config.calmDroppedBps === 'number' ? { calmDroppedBps: config.calmDroppedBps } : {}),
    ...(typeof config.calmDroppedPps === 'number' ? { calmDroppedPps: config.calmDroppedPps } : {}),
    ...(typeof config.calmSeconds === 'number' ? { calmSeconds: config.calmSeconds } : {}),
    ...(typeof config.calmMaxWaitSeconds === 'number' ? { calmMaxWaitSeconds: config.calmMaxWaitSeconds } : {}),
    ...(config.calmOnMaxWait ? { calmOnMaxWait: config.calmOnMaxWait } : {}),
  };
}
