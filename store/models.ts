/**
 * The MongoDB collections (mongoose schemas, types inferred). Works on MongoDB and on
 * FerretDB alike: no TTL indexes, transactions or change streams. Credential blobs are
 * `select: false`, so nothing reads them by accident.
 */
import { Schema, type Connection, type InferSchemaType, type SchemaDefinitionProperty } from 'mongoose';
import { PROVIDER_TYPES } from '../catalog';
import { CHANGE_KINDS } from './changes';
import { AUDIT_OUTCOMES } from './audit';
import { DETECTOR_TYPES } from '../catalog/detectors';
import { CALM_WAIT_OUTCOMES, DRIFT_ACTIONS, INTEGRATION_DEFAULTS, type IntegrationConfigField } from '../catalog/integration';

const workspaceSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    holdDownSeconds: { type: Number, required: true, default: 300 },
    /** Bumped on every configuration change; the workflow ignores older snapshots. */
    configVersion: { type: Number, required: true, default: 1 },
    /** Reconciliation and flap damping knobs set for this workspace (workflows/policy.ts); absent = default. */
    policy: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

const apiKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    name: { type: String, required: true },
    role: { type: String, required: true, enum: ['owner', 'admin', 'detector', 'viewer'] },
    /** The key's public part, used to find it; the secret part is only ever hashed. */
    prefix: { type: String, required: true, unique: true },
    hash: { type: String, required: true, select: false },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

const encryptedBlobSchema = new Schema(
  { kid: { type: String, required: true }, iv: { type: String, required: true }, tag: { type: String, required: true }, data: { type: String, required: true } },
  { _id: false },
);

/** The configuration's fields (catalog/integration.ts) with their defaults: one missing here, or one too many, does not compile. */
const integrationConfigFields = {
  name: { type: String, required: true },
  autoDivert: { type: Boolean, required: true, default: INTEGRATION_DEFAULTS.autoDivert },
  scope: { type: Schema.Types.Mixed, required: true, default: INTEGRATION_DEFAULTS.scope },
  dryRun: { type: Boolean, required: true, default: INTEGRATION_DEFAULTS.dryRun },
  onDrift: { type: String, required: true, enum: [...DRIFT_ACTIONS], default: INTEGRATION_DEFAULTS.onDrift },
  minActiveSeconds: { type: Number, default: INTEGRATION_DEFAULTS.minActiveSeconds },
  reactivateAfterSeconds: { type: Number, default: INTEGRATION_DEFAULTS.reactivateAfterSeconds },
  calmGate: { type: Boolean, default: INTEGRATION_DEFAULTS.calmGate },
  calmDroppedBps: { type: Number, default: INTEGRATION_DEFAULTS.calmDroppedBps },
  calmDroppedPps: { type: Number, default: INTEGRATION_DEFAULTS.calmDroppedPps },
  calmSeconds: { type: Number, default: INTEGRATION_DEFAULTS.calmSeconds },
  calmMaxWaitSeconds: { type: Number, default: INTEGRATION_DEFAULTS.calmMaxWaitSeconds },
  calmOnMaxWait: { type: String, enum: [...CALM_WAIT_OUTCOMES, null], default: INTEGRATION_DEFAULTS.calmOnMaxWait },
} satisfies Record<IntegrationConfigField, SchemaDefinitionProperty>;

const integrationSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    type: { type: String, required: true, enum: PROVIDER_TYPES },
    ...integrationConfigFields,
    settings: { type: Schema.Types.Mixed, required: true },
    credentials: { type: encryptedBlobSchema, required: true, select: false },
    /** The names of the credential fields (not their values), to show which are set. */
    credentialFields: { type: [String], required: true, default: [] },
    /** Set on DELETE: the record stays until the workflow has withdrawn it, then is removed. */
    deletedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

const channelSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    type: { type: String, required: true, enum: ['webhook', 'slack', 'pagerduty'] },
    name: { type: String, required: true },
    /** The events it receives; empty = all. */
    events: { type: [String], required: true, default: [] },
    settings: { type: Schema.Types.Mixed, required: true },
    secrets: { type: encryptedBlobSchema, required: true, select: false },
    secretFields: { type: [String], required: true, default: [] },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

/** Detectors that post their own webhooks (api/detectors): the secret that proves a delivery is encrypted like credentials. */
const detectorSourceSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    type: { type: String, required: true, enum: DETECTOR_TYPES },
    name: { type: String, required: true },
    /** Vendor options (which directions or hostgroups count) and the source-address allow-list. */
    options: { type: Schema.Types.Mixed, required: true, default: () => ({}) },
    secret: { type: encryptedBlobSchema, required: true, select: false },
    /** What deliveries did, counted per source: events, acknowledged-and-ignored, refused (bad proof, replay, address). */
    counts: { type: Schema.Types.Mixed, required: true, default: () => ({}) },
    lastEventAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

const auditEventSchema = new Schema(
  {
    workspace: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    integration: { type: String, default: null },
    incident: { type: String, default: null },
    outcome: { type: String, required: true, enum: [...AUDIT_OUTCOMES] },
    detail: { type: String, default: '' },
  },
  { versionKey: false },
);
auditEventSchema.index({ workspace: 1, at: -1 });
// The trail's filters (store/audit.ts): each an equality (or, for an action prefix, a range) within the workspace, newest first.
auditEventSchema.index({ workspace: 1, action: 1, _id: -1 });
auditEventSchema.index({ workspace: 1, integration: 1, _id: -1 });
auditEventSchema.index({ workspace: 1, actor: 1, _id: -1 });
auditEventSchema.index({ workspace: 1, outcome: 1, _id: -1 });

/** Failed provider logins per egress address, shared by every worker (activities/providers/login-budget.ts). */
const loginFailureSchema = new Schema(
  {
    provider: { type: String, required: true },
    /** The egress address (or NAT) the workers call the provider from: PROVIDER_EGRESS_ID. */
    egress: { type: String, required: true },
    /** A hash of the credentials that failed, never the credentials. */
    fingerprint: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
loginFailureSchema.index({ provider: 1, egress: 1, at: 1 });

/**
 * Incident reports the API accepted and has not yet seen reach the workspace's workflow (the
 * intake outbox, api/intake.ts): kept until delivered, then removed, so an accepted attack
 * survives Temporal being slow or down and the API restarting.
 */
const incidentReportSchema = new Schema(
  {
    workspace: { type: String, required: true },
    /** `started` (payload: the incident) or `resolved` (payload: incidentId, resolvedAt). */
    kind: { type: String, required: true, enum: ['started', 'resolved'] },
    payload: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    lastError: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
incidentReportSchema.index({ workspace: 1, receivedAt: 1 });
incidentReportSchema.index({ receivedAt: 1 });

/**
 * The incident record (store/incidents.ts): every incident reported per workspace and whether it
 * is still active, so a run that starts without a predecessor knows what is still going on; the
 * API also lists it as the workspace's incident history.
 */
const incidentSchema = new Schema(
  {
    /** `<workspace>/<incident id>` (store/incidents.ts). */
    _id: { type: String, required: true },
    workspace: { type: String, required: true },
    incidentId: { type: String, required: true },
    incident: { type: Schema.Types.Mixed, required: true },
    active: { type: Boolean, required: true },
    startedAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);
incidentSchema.index({ workspace: 1, active: 1 });
// The incident history (GET …/incidents): a workspace's records by when they started, newest first, paged by (startedAt, _id).
incidentSchema.index({ workspace: 1, startedAt: -1, _id: -1 });

/**
 * Resolves of incidents (store/incidents.ts): written beside the record, as an insert, when the
 * API accepts a resolve; the record's readers take it into account (a record is resolved when its
 * `active` is false or a resolution exists), and the periodic sweep folds them into the records.
 */
const incidentResolutionSchema = new Schema(
  {
    /** The record's key, `<workspace>/<incident id>`. */
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    incidentId: { type: String, required: true },
    resolvedAt: { type: Date, required: true, index: true },
    /** Set by the sweep once the record says so itself (`active: false`). */
    folded: { type: Boolean, default: false },
  },
  { versionKey: false },
);

/**
 * Manual actions (store/manual-holds.ts): an operator's last Activate or Withdraw of each
 * integration, so a run that starts without a predecessor keeps what a manual Activate holds.
 */
const manualHoldSchema = new Schema(
  {
    /** `<workspace>/<integration id>`. */
    _id: { type: String, required: true },
    workspace: { type: String, required: true, index: true },
    integrationId: { type: String, required: true },
    action: { type: String, required: true, enum: ['activate', 'withdraw'] },
    /** When the workflow accepted it (the later action wins). */
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * The change log (store/changes.ts): which document changed, and when, for the caches that API
 * and worker processes keep (revoked keys, configuration versions, integrations). Kept for two
 * minutes: the change feeds read one kind's entries of the last minute every few seconds, from the
 * (kind, at) index on MongoDB (FerretDB scans the collection, with the kind handed down to PostgreSQL).
 */
const changeSchema = new Schema(
  {
    kind: { type: String, required: true, enum: CHANGE_KINDS },
    ref: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
changeSchema.index({ at: 1 });
changeSchema.index({ kind: 1, at: 1 });

/**
 * The head of each kind's change log (store/changes.ts): a token every note replaces once its
 * entry is written, so a feed whose kind has no new note reads this one small document, not the log.
 */
const changeHeadSchema = new Schema(
  {
    /** The kind (`api_key`, `workspace`, `integration`). */
    _id: { type: String, required: true },
    token: { type: String, required: true },
  },
  { versionKey: false },
);

export type WorkspaceDoc = InferSchemaType<typeof workspaceSchema>;
export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;
export type IntegrationDoc = InferSchemaType<typeof integrationSchema>;
export type AuditEventDoc = InferSchemaType<typeof auditEventSchema>;
export type ChannelDoc = InferSchemaType<typeof channelSchema>;

export function createModels(connection: Connection) {
  return {
    Workspace: connection.model('Workspace', workspaceSchema, 'workspaces'),
    ApiKey: connection.model('ApiKey', apiKeySchema, 'api_keys'),
    Integration: connection.model('Integration', integrationSchema, 'integrations'),
    AuditEvent: connection.model('AuditEvent', auditEventSchema, 'audit_events'),
    Channel: connection.model('Channel', channelSchema, 'notification_channels'),
    DetectorSource: connection.model('DetectorSource', detectorSourceSchema, 'detector_sources'),
    LoginFailure: connection.model('LoginFailure', loginFailureSchema, 'provider_login_failures'),
    IncidentReport: connection.model('IncidentReport', incidentReportSchema, 'incident_reports'),
    Incident: connection.model('Incident', incidentSchema, 'incidents'),
    IncidentResolution: connection.model('IncidentResolution', incidentResolutionSchema, 'incident_resolutions'),
    ManualHold: connection.model('ManualHold', manualHoldSchema, 'manual_holds'),
    Change: connection.model('Change', changeSchema, 'changes'),
    ChangeHead: connection.model('ChangeHead', changeHeadSchema, 'change_heads'),
  };
}

export type Models = ReturnType<typeof createModels>;
