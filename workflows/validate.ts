/**
 * Shape checks for messages that reach the workflow. The API validates with zod
 * first; these guard the workflow against any other client, because a payload
 * that made the decision module throw would wedge the workflow task.
 * Pure: no Temporal imports.
 */
import type { IncidentStart } from './state';
import { MAX_REPORTS_PER_SIGNAL, type IncidentReportBatch, type IncidentResolved, type ManualActionRequest, type WorkspaceConfig } from './messages';

const MAX_ID_LENGTH = 200;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.length <= 1000);
}

/** A traffic rate: absent, or a non-negative finite number. */
function isOptionalRate(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isIncidentStart(value: unknown): value is IncidentStart {
  return (
    isRecord(value) &&
    isId(value.incidentId) &&
    ['target', 'severity', 'startedAt', 'source'].every((key) => isOptionalString(value[key])) &&
    ['peakBps', 'peakPps'].every((key) => isOptionalRate(value[key]))
  );
}

export function isIncidentResolved(value: unknown): value is IncidentResolved {
  return isRecord(value) && isId(value.incidentId);
}

/** A batch's shape; each report in it is checked on its own (a malformed one is skipped, not the batch). */
export function isIncidentReportBatch(value: unknown): value is IncidentReportBatch {
  return isRecord(value) && Array.isArray(value.reports) && value.reports.length <= MAX_REPORTS_PER_SIGNAL;
}

function isScope(value: unknown): boolean {
  return value === undefined || value === 'workspace' || (Array.isArray(value) && value.every((cidr) => typeof cidr === 'string'));
}

function isOptionalSeconds(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

/** A provider type's telemetry (the calm gate's defaults), when it has one. */
function isTelemetryFacts(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isRecord(value) || !isRecord(value.calm)) return false;
  const { calm } = value;
  return (
    isId(value.activity) &&
    typeof value.source === 'string' &&
    [calm.droppedBps, calm.droppedPps, calm.calmSeconds, calm.maxWaitSeconds].every((n) => typeof n === 'number' && isOptionalSeconds(n)) &&
    (calm.onMaxWait === 'withdraw' || calm.onMaxWait === 'keep') &&
    typeof calm.why === 'string'
  );
}

function isProviderFacts(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.operations) || !isRecord(value.timing)) return false;
  const { operations, timing } = value;
  return (
    isTelemetryFacts(value.telemetry) &&
    isId(operations.activate) &&
    isId(operations.withdraw) &&
    typeof timing.minActiveSeconds === 'number' &&
    isOptionalSeconds(timing.minActiveSeconds) &&
    typeof timing.reactivateAfterSeconds === 'number' &&
    isOptionalSeconds(timing.reactivateAfterSeconds) &&
    typeof timing.why === 'string' &&
    isOptionalString(timing.why)
  );
}

const POLICY_KEYS = ['reconcileActiveSeconds', 'reconcileIdleSeconds', 'flapWindowSeconds', 'maxHoldDownSeconds', 'telemetrySeconds'];

export function isWorkspaceConfig(value: unknown): value is WorkspaceConfig {
  return (
    isRecord(value) &&
    typeof value.version === 'number' &&
    typeof value.holdDownSeconds === 'number' &&
    value.holdDownSeconds >= 0 &&
    (value.policy === undefined || (isRecord(value.policy) && POLICY_KEYS.every((key) => isOptionalSeconds((value.policy as Record<string, unknown>)[key])))) &&
    (value.providers === undefined || (isRecord(value.providers) && Object.values(value.providers).every(isProviderFacts))) &&
    Array.isArray(value.integrations) &&
    value.integrations.every(
      (i: unknown) =>
        isRecord(i) &&
        isId(i.id) &&
        typeof i.type === 'string' &&
        (i.autoDivert === undefined || typeof i.autoDivert === 'boolean') &&
        (i.dryRun === undefined || typeof i.dryRun === 'boolean') &&
        (i.onDrift === undefined || i.onDrift === 'repair' || i.onDrift === 'report') &&
        isOptionalSeconds(i.minActiveSeconds) &&
        isOptionalSeconds(i.reactivateAfterSeconds) &&
        (i.calmGate === undefined || typeof i.calmGate === 'boolean') &&
        [i.calmDroppedBps, i.calmDroppedPps, i.calmSeconds, i.calmMaxWaitSeconds].every(isOptionalSeconds) &&
        (i.calmOnMaxWait === undefined || i.calmOnMaxWait === 'withdraw' || i.calmOnMaxWait === 'keep') &&
        isScope(i.scope),
    )
  );
}

export function isManualActionRequest(value: unknown): value is ManualActionRequest {
  return isRecord(value) && isId(value.integrationId) && isOptionalString(value.actor) && isOptionalString(value.reason);
}
