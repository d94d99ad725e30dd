/** Zod schemas for every API input and output: the single source of truth for their types and for /openapi.json. */
import './openapi';
import { z } from 'zod';
import { PROVIDERS, PROVIDER_TYPES, type ProviderType } from '../catalog';
import { CIDR_PATTERN, isValidAddress, isValidCidr } from '../workflows/cidr';
import { ROLES } from '../store/api-keys';
import { HISTORY_CURSOR } from '../store/incidents';
import { AUDIT_OUTCOMES } from '../store/audit';
import { NOTIFICATION_EVENTS } from '../catalog/notifications';
import { DETECTOR_TYPES } from '../catalog/detectors';
import { CALM_WAIT_OUTCOMES, DRIFT_ACTIONS, MAX_CALM_RATE, MAX_WINDOW_SECONDS, integrationConfig, type IntegrationConfigField, type IntegrationConfigInput } from '../catalog/integration';

export const workspaceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, up to 63')
  .openapi({ example: 'acme' });
const resourceId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:@-]+$/, 'letters, digits and . _ : @ -');
// Any Unicode text but control characters (no newlines or escapes to forge log lines or UI text).
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'printable characters only, no control characters'); // eslint-disable-line no-control-regex
const holdDownSeconds = z.number().int().min(0).max(86_400);
const DAY = 86_400;
/** A compile-time check: `Assert<false>` does not compile. */
type Assert<T extends true> = T;
/** Reconciliation and flap damping (workflows/policy.ts); null returns a knob to its default. */
const policySeconds = (min: number, max: number, description: string) => z.number().int().min(min).max(max).nullable().optional().openapi({ description });
const policyBody = z
  .object({
    reconcileActiveSeconds: policySeconds(10, DAY, 'Provider status read while diverted; default 60'),
    reconcileIdleSeconds: policySeconds(60, 7 * DAY, 'Provider status read otherwise; default 1800'),
    flapWindowSeconds: policySeconds(0, 7 * DAY, 'Attack waves counted for flap damping; default 3600'),
    maxHoldDownSeconds: policySeconds(0, 7 * DAY, 'Cap of the damped hold-down, at or below the base = no damping; default 3600'),
    telemetrySeconds: policySeconds(10, DAY, 'Provider telemetry read while a diversion with a calm gate is on (one query per Cloudflare account); default 60'),
  })
  .strict();
const PolicyOut = z
  .object({ reconcileActiveSeconds: z.number(), reconcileIdleSeconds: z.number(), flapWindowSeconds: z.number(), maxHoldDownSeconds: z.number(), telemetrySeconds: z.number().optional() })
  .openapi('WorkspacePolicy');

export const workspaceParams = z.object({ ws: workspaceId }).strict();
export const resourceParams = z.object({ ws: workspaceId, id: resourceId }).strict();
export const keyParams = z.object({ ws: workspaceId, keyId: resourceId }).strict();

export const createWorkspaceBody = z.object({ id: workspaceId, name, holdDownSeconds: holdDownSeconds.optional(), policy: policyBody.optional() }).strict().openapi('CreateWorkspace');
export const updateWorkspaceBody = z.object({ name: name.optional(), holdDownSeconds: holdDownSeconds.optional(), policy: policyBody.optional() }).strict().openapi('UpdateWorkspace');
export const WorkspaceOut = z
  .object({ id: z.string(), name: z.string(), holdDownSeconds: z.number(), policy: PolicyOut, configVersion: z.number(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Workspace');

export const role = z.enum(ROLES);
export const createApiKeyBody = z.object({ name, role }).strict().openapi('CreateApiKey');
export const ApiKeyOut = z
  .object({
    id: z.string(),
    name: z.string(),
    role,
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');
export const CreatedApiKeyOut = ApiKeyOut.extend({ key: z.string().openapi({ description: 'Shown once; only a hash is stored' }) }).openapi('CreatedApiKey');

/** Who a key is (GET /v1/me): a client such as the console learns its workspace, role and rights from the key alone. */
export const MeOut = z
  .object({
    workspaceId: z.string(),
    role,
    keyId: z.string(),
    keyName: z.string(),
    rights: z.array(z.string()).openapi({ description: "What the key's role may do (the API checks each request all the same)" }),
    temporalUiUrl: z.string().nullable().openapi({ description: 'The Temporal UI (TEMPORAL_UI_URL); null when not configured' }),
    workflowUrl: z.string().nullable().openapi({ description: 'The workspace workflow in the Temporal UI (every integration runs in it); null when not configured' }),
  })
  .openapi('Me');

// CIDR_PATTERN, the exact grammar of a scope entry, is published in /openapi.json so that
// every string a client builds from the document is accepted and nothing else; the refinement
// keeps the workflow's parser (workflows/cidr.ts) the final judge.
const cidr = z.string().max(49).regex(CIDR_PATTERN, 'a CIDR such as 192.0.2.0/24 or 2001:db8::/32').refine(isValidCidr, 'a CIDR such as 192.0.2.0/24 or 2001:db8::/32');
export const scope = z.union([z.literal('workspace'), z.array(cidr).min(1).max(100)]);

const windowSeconds = z.number().int().min(0).max(MAX_WINDOW_SECONDS).nullable().optional();
const calmRate = z.number().int().min(0).max(MAX_CALM_RATE).nullable().optional();
/**
 * An integration's configuration as a client sends it: the fields of its one definition
 * (catalog/integration.ts), each optional but the name, with the API's stricter checks (printable
 * name, CIDRs the workflow parses) and descriptions. A field missing here, or one too many, or a
 * value the definition would not hold, does not compile.
 */
const integrationCommon = {
  name,
  autoDivert: z.boolean().optional().openapi({ description: 'An incident triggers it automatically; default true' }),
  scope: scope.optional().openapi({ description: "'workspace' (default: every incident) or the CIDRs an incident's target must fall in" }),
  dryRun: z.boolean().optional().openapi({ description: 'Record decisions (would divert / would withdraw) without calling the provider' }),
  onDrift: z.enum(DRIFT_ACTIONS).optional().openapi({ description: 'When the provider differs from our state: re-apply ours (default) or only report it' }),
  minActiveSeconds: windowSeconds.openapi({ description: 'Minimum time a confirmed diversion stays on; null = the provider default' }),
  reactivateAfterSeconds: windowSeconds.openapi({ description: 'Earliest automatic re-activation after a withdrawal; null = the provider default' }),
  calmGate: z
    .boolean()
    .optional()
    .openapi({ description: 'Where the provider has telemetry (Cloudflare, OVH): a withdrawal also waits until the provider reports calm; default true. Without telemetry it changes nothing' }),
  calmDroppedBps: calmRate.openapi({ description: 'Dropped bits per second at or below which the provider counts as calm; null = the provider default' }),
  calmDroppedPps: calmRate.openapi({ description: 'Dropped packets per second at or below which the provider counts as calm; null = the provider default' }),
  calmSeconds: windowSeconds.openapi({ description: 'How long the provider must stay calm before a withdrawal; null = the provider default' }),
  calmMaxWaitSeconds: windowSeconds.openapi({ description: 'The longest a withdrawal is held for the provider, then calmOnMaxWait; null = the provider default' }),
  calmOnMaxWait: z
    .enum(CALM_WAIT_OUTCOMES)
    .nullable()
    .optional()
    .openapi({ description: "After the maximum wait: 'withdraw' (and notify) or 'keep' diverted (and notify); null = the provider default" }),
} satisfies Record<IntegrationConfigField, z.ZodType>;
type _CommonHoldsTheDefinition = Assert<z.infer<z.ZodObject<typeof integrationCommon>> extends IntegrationConfigInput ? true : false>;
const { name: _name, ...integrationPolicy } = integrationCommon;
/** One variant per provider of the catalog: its settings and credentials, strict (an unknown field is a 400 naming it). */
const integrationVariant = <P extends (typeof PROVIDERS)[number]>(provider: P) =>
  z
    .object({ type: z.literal(provider.type), ...integrationCommon, settings: provider.settings.strict(), credentials: provider.credentials.strict() })
    .strict()
    .openapi({ description: provider.label });
type Variant = ReturnType<typeof integrationVariant<(typeof PROVIDERS)[number]>>;
export const createIntegrationBody = z.discriminatedUnion('type', PROVIDERS.map(integrationVariant) as [Variant, ...Variant[]]).openapi('CreateIntegration');
export type CreateIntegrationBody = z.infer<typeof createIntegrationBody>;

/** Per-type settings and credentials, for PATCH (the type cannot change). */
export const integrationTypeSchemas = Object.fromEntries(PROVIDERS.map((p) => [p.type, { settings: p.settings.strict(), credentials: p.credentials.strict() }])) as unknown as Record<
  ProviderType,
  { settings: z.ZodObject; credentials: z.ZodObject }
>;

export const updateIntegrationBody = z
  .object({
    name: name.optional(),
    ...integrationPolicy,
    settings: z.record(z.string(), z.unknown()).optional(),
    credentials: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .openapi('UpdateIntegration');

export const IntegrationOut = integrationConfig
  .extend({
    id: z.string(),
    type: z.enum(PROVIDER_TYPES),
    timing: z.object({ minActiveSeconds: z.number(), reactivateAfterSeconds: z.number(), why: z.string() }).openapi({ description: 'The windows in effect' }),
    calmGateInEffect: z
      .object({ source: z.string(), droppedBps: z.number(), droppedPps: z.number(), calmSeconds: z.number(), maxWaitSeconds: z.number(), onMaxWait: z.enum(CALM_WAIT_OUTCOMES), why: z.string() })
      .nullable()
      .openapi({ description: 'The calm gate in effect (provider defaults and this integration’s overrides); null: the provider has no telemetry or the gate is off' }),
    settings: z.record(z.string(), z.unknown()),
    credentials: z.record(z.string(), z.literal('********')).openapi({ description: 'Which credentials are set; values are never returned' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Integration');

export const TestResultOut = z.object({ ok: z.boolean(), summary: z.string(), warnings: z.array(z.string()) }).openapi('TestResult');

export const incidentStartedBody = z
  .object({
    id: resourceId,
    target: z
      .union([z.ipv4().openapi({ format: 'ipv4' }), z.ipv6().openapi({ format: 'ipv6' })])
      .refine(isValidAddress, 'an IPv4 or IPv6 address')
      .optional(),
    severity: z.string().max(50).optional(),
    startedAt: z.iso.datetime({ offset: true }).optional(),
    source: z.string().max(200).optional(),
    peakBps: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({ description: 'Peak attack traffic the detector saw, bits per second' }),
    peakPps: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({ description: 'Peak attack traffic the detector saw, packets per second' }),
  })
  .strict()
  .openapi('IncidentStarted');
export type IncidentStartedBody = z.infer<typeof incidentStartedBody>;

export const incidentResolvedBody = z
  .object({ resolvedAt: z.iso.datetime({ offset: true }).optional() })
  .strict()
  .openapi('IncidentResolved');
export const IncidentAcceptedOut = z
  .object({
    workspaceId: z.string(),
    incidentId: z.string(),
    workflowId: z.string(),
    delivery: z.enum(['delivered', 'queued']).openapi({
      description: '`delivered`: the workflow has it. `queued`: kept in the database and delivered as soon as Temporal takes it (never lost)',
    }),
    queuedReports: z.number().int().optional().openapi({ description: "When queued: the workspace's reports waiting, this one included" }),
    reason: z.string().optional().openapi({ description: 'When queued: why it was not delivered at once' }),
  })
  .openapi('IncidentAccepted');

export const manualActionBody = z
  .object({ reason: z.string().max(500).optional() })
  .strict()
  .openapi('ManualAction');

const operationError = z.object({ type: z.string(), message: z.string(), nonRetryable: z.boolean() }).nullable();
export const ManualActionPendingOut = z.object({ status: z.literal('pending'), workflowId: z.string(), message: z.string() }).openapi('ManualActionPending');

export const IntegrationStateOut = z
  .object({
    id: z.string(),
    type: z.string(),
    name: z.string().optional(),
    autoDivert: z.boolean(),
    scope: z.union([z.literal('workspace'), z.array(z.string())]),
    desired: z.enum(['active', 'inactive']),
    actual: z.enum(['inactive', 'activating', 'active', 'withdrawing', 'failed']),
    since: z.string(),
    lastError: operationError,
    attempts: z.number(),
    manual: z.enum(['activate', 'withdraw']).nullable(),
    holdDownUntil: z.string().nullable(),
    removed: z.boolean(),
    // Provider policy; absent while the workflow run predates it.
    dryRun: z.boolean().optional(),
    onDrift: z.enum(['repair', 'report']).optional(),
    timing: z.object({ minActiveSeconds: z.number(), reactivateAfterSeconds: z.number(), why: z.string() }).optional(),
    holdDownReason: z.string().nullable().optional(),
    activationWaitsUntil: z.string().nullable().optional(),
    waitReason: z.string().nullable().optional(),
    provider: z
      .object({ observed: z.enum(['diverted', 'not_diverted', 'pending', 'unknown']), detail: z.string(), checkedAt: z.string() })
      .nullable()
      .optional(),
    drift: z
      .object({
        detectedAt: z.string(),
        expected: z.enum(['diverted', 'not_diverted']),
        observed: z.enum(['diverted', 'not_diverted']),
        action: z.enum(['repaired', 'reported']),
        open: z.boolean(),
        count: z.number(),
      })
      .nullable()
      .optional(),
    telemetry: z
      .object({
        status: z.enum(['none', 'off', 'waiting', 'ok', 'unavailable']),
        source: z.string().optional(),
        reason: z.string().optional(),
        lastReading: z
          .object({
            droppedBps: z.number(),
            droppedPps: z.number(),
            passedBps: z.number().optional(),
            passedPps: z.number().optional(),
            ongoingEvents: z.number().optional(),
            from: z.string(),
            to: z.string(),
            source: z.string(),
            readAt: z.string(),
          })
          .nullable()
          .optional(),
        calm: z.boolean().optional(),
        calmSince: z.string().nullable().optional(),
        gate: z.object({ droppedBps: z.number(), droppedPps: z.number(), calmSeconds: z.number(), maxWaitSeconds: z.number(), onMaxWait: z.enum(CALM_WAIT_OUTCOMES), why: z.string() }).optional(),
        withdrawHeld: z.object({ since: z.string(), reason: z.string(), maxWaitUntil: z.string(), expired: z.boolean() }).nullable().optional(),
      })
      .optional()
      .openapi({ description: "The calm gate: the provider's last reading of the attack, and why a withdrawal waits" }),
    dots: z.object({ code: z.number().int(), status: z.string() }).nullable().optional().openapi({
      description:
        'The diversion in IETF DOTS status terms (RFC 9132): 1 in progress, 2 successfully mitigated, 3 attack stopped, 5 active but terminating, 6 terminated, 7 withdrawn by server; null: never diverted',
    }),
  })
  .openapi('IntegrationState');
export const ScrubbingOut = z
  .object({
    workspaceId: z.string(),
    running: z.boolean(),
    configVersion: z.number(),
    holdDownSeconds: z.number(),
    activeIncidents: z
      .array(
        z.object({
          incidentId: z.string(),
          target: z.string().optional(),
          severity: z.string().optional(),
          startedAt: z.string().optional(),
          source: z.string().optional(),
          peakBps: z.number().optional(),
          peakPps: z.number().optional(),
          receivedAt: z.number(),
        }),
      )
      .openapi({ description: 'The first 100 active incidents, oldest first' }),
    activeIncidentCount: z.number().int().openapi({ description: 'All active incidents' }),
    refusedIncidents: z.number().int().optional().openapi({ description: 'Starts the workflow refused since the workspace reached its limit of 20,000 active incidents (absent below it)' }),
    integrations: z.array(IntegrationStateOut),
    pendingHoldDowns: z.array(z.object({ integrationId: z.string(), until: z.string() })),
    policy: PolicyOut.optional(),
    holdDown: z
      .object({ baseSeconds: z.number(), seconds: z.number(), waves: z.number(), reason: z.string() })
      .optional()
      .openapi({ description: 'Flap damping: the hold-down in effect as of the last event, and why' }),
    nextReconcileAt: z.string().nullable().optional(),
    nextTelemetryAt: z.string().nullable().optional().openapi({ description: 'When provider telemetry is read next (the calm gate), while a gated diversion is on' }),
    intake: z
      .object({ queuedReports: z.number().int(), oldestQueuedAt: z.string().nullable() })
      .openapi({ description: "Incident reports accepted and not yet delivered to the workflow (Temporal slow or away), and the oldest one's arrival" }),
  })
  .openapi('Scrubbing');

/** A plain token (an integration's or API key's id, `workflow`), its characters spelled out so the published pattern means the same everywhere. */
const token = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'letters, digits and . _ : @ -');
export const eventsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z
      .string()
      .regex(/^[0-9a-f]{24}$/, 'an event id')
      .optional(),
    action: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+\*?$/, 'an action, or a prefix followed by *')
      .optional()
      .openapi({
        description: 'Only this action; a trailing `*` makes it a prefix: `manual.*` (manual.activate, manual.withdraw, manual.restored), `divert*` (divert, divert.adopted, divert.deferred)',
      }),
    integration: token.optional().openapi({ description: 'Only records of this integration (its id)' }),
    actor: token.optional().openapi({ description: "Only records of this actor: an API key's id, `workflow`, `admin` or `intake`" }),
    outcome: z.enum(AUDIT_OUTCOMES).optional().openapi({ description: 'Only records with this outcome' }),
  })
  .strict();
const AuditEventOut = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    integration: z.string().nullable(),
    incident: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    detail: z.string(),
  })
  .openapi('AuditEvent');
export const EventsOut = z.object({ events: z.array(AuditEventOut), next: z.string().nullable() }).openapi('AuditEvents');

export const incidentsQuery = z
  .object({
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Incidents whose start the API received at or after this time; default 24 hours ago; at most 7 days back (an earlier time counts as 7 days ago)' }),
    before: z.string().regex(HISTORY_CURSOR, 'the `next` of the previous page').optional().openapi({ description: 'The `next` of the previous page' }),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();
/** An incident as the incident record keeps it (store/incidents.ts): the start as the detector reported it, and when the API received the start and the resolve. */
const IncidentRecordOut = z
  .object({
    id: z.string(),
    target: z.string().optional().openapi({ description: 'The address under attack, as reported' }),
    severity: z.string().optional(),
    source: z.string().optional().openapi({ description: 'Who reported it (the detector, as it named itself or its type)' }),
    peakBps: z.number().optional().openapi({ description: 'Peak attack traffic the detector reported, bits per second' }),
    peakPps: z.number().optional().openapi({ description: 'Peak attack traffic the detector reported, packets per second' }),
    reportedStartedAt: z.string().optional().openapi({ description: 'The start time the detector reported, as it reported it' }),
    startedAt: z.string().openapi({ description: 'When the API received the start (for an incident whose start it never received: when it received the resolve)' }),
    resolvedAt: z.string().nullable().openapi({ description: 'When the API received the resolve; null while the incident is active' }),
  })
  .openapi('IncidentRecord');
export const IncidentHistoryOut = z
  .object({
    since: z.string().openapi({ description: 'The `since` applied (the default, or the one given, at most 7 days back)' }),
    incidents: z.array(IncidentRecordOut).openapi({ description: 'Newest start first' }),
    next: z.string().nullable().openapi({ description: 'Pass as `before` for the next page; null on the last' }),
  })
  .openapi('IncidentHistory');

// Notification channels. URLs are checked by one exact pattern (http or https, a host name or
// IPv4 address, optional port, path and query), published in /openapi.json as it is.
const HTTP_URL = /^https?:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/;
const httpUrl = z.string().max(2048).regex(HTTP_URL, 'an http(s) URL');
const channelEvents = z.array(z.enum(NOTIFICATION_EVENTS)).max(NOTIFICATION_EVENTS.length).openapi({ description: 'The events sent; empty or absent = all' });
export const channelTypeSchemas = {
  webhook: {
    settings: z.object({ url: httpUrl }).strict(),
    secrets: z.object({ signingSecret: z.string().min(16).max(512).openapi({ description: 'HMAC-SHA256 key for X-Scrubbing-Signature' }) }).strict(),
  },
  slack: {
    settings: z.object({}).strict(),
    secrets: z.object({ webhookUrl: httpUrl.openapi({ description: 'The incoming-webhook URL (a secret: anyone holding it can post)' }) }).strict(),
  },
  pagerduty: {
    settings: z
      .object({
        severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
        triggerOn: z.enum(['failure', 'diversion']).optional().openapi({ description: 'failure (default): page when an operation fails; diversion: also page while diverted' }),
      })
      .strict(),
    secrets: z.object({ routingKey: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a PagerDuty integration (routing) key') }).strict(),
  },
} as const;
const channelCommon = { name, events: channelEvents.optional() };
export const createChannelBody = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('webhook'), ...channelCommon, ...channelTypeSchemas.webhook }).strict(),
    z.object({ type: z.literal('slack'), ...channelCommon, settings: channelTypeSchemas.slack.settings.optional(), secrets: channelTypeSchemas.slack.secrets }).strict(),
    z.object({ type: z.literal('pagerduty'), ...channelCommon, settings: channelTypeSchemas.pagerduty.settings.optional(), secrets: channelTypeSchemas.pagerduty.secrets }).strict(),
  ])
  .openapi('CreateNotificationChannel');
export type CreateChannelBody = z.infer<typeof createChannelBody>;
export const updateChannelBody = z
  .object({
    name: name.optional(),
    events: channelEvents.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .openapi('UpdateNotificationChannel');
export const ChannelOut = z
  .object({
    id: z.string(),
    type: z.enum(['webhook', 'slack', 'pagerduty']),
    name: z.string(),
    events: z.array(z.string()),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.literal('********')).openapi({ description: 'Which secrets are set; values are never returned' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('NotificationChannel');

/** Per-source options of a detector (api/detectors): the allow-list for every type, what counts for FastNetMon. */
const allowedAddresses = z
  .array(cidr)
  .min(1)
  .max(50)
  .optional()
  .openapi({ description: "Only deliveries from these addresses or CIDRs (the detector's own); default any. A bare address is a host route" });
const fastnetmonOptions = z
  .object({
    allowedAddresses,
    directions: z
      .array(z.enum(['incoming', 'outgoing']))
      .min(1)
      .max(2)
      .optional()
      .openapi({ description: 'Which attack directions are incidents; default incoming only' }),
    hostgroups: z.array(z.string().min(1).max(200)).min(1).max(100).optional().openapi({ description: 'Only alerts of these hostgroups; default any' }),
    alertScopes: z
      .array(z.enum(['host', 'hostgroup']))
      .min(1)
      .max(2)
      .optional()
      .openapi({ description: 'Which alert scopes count (alert_scope host or hostgroup); default both' }),
  })
  .strict();
const detectorSecret = z
  .string()
  .min(24)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .optional()
  .openapi({ description: 'The secret set in the detector (at least 24 characters); absent, one is made. Never returned after this answer' });
const basicOptions = z.object({ allowedAddresses }).strict();
/** One variant per type: a URL-token type's secret is always made here; only a signing or header-secret type may be given one. */
const signedBy = (type: 'flowtriq' | 'cloudflare') => z.object({ type: z.literal(type), name, secret: detectorSecret, options: basicOptions.optional() }).strict();
const urlToken = (type: 'kentik' | 'generic') => z.object({ type: z.literal(type), name, options: basicOptions.optional() }).strict();
export const createDetectorSourceBody = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('fastnetmon'), name, options: fastnetmonOptions.optional() })
      .strict()
      .openapi({ description: 'FastNetMon Advanced web callbacks; the secret is in the URL' }),
    signedBy('flowtriq').openapi({ description: 'Flowtriq webhooks, signed with the secret (X-Flowtriq-Signature)' }),
    urlToken('kentik').openapi({ description: 'Kentik JSON POST webhooks; the secret is in the URL' }),
    signedBy('cloudflare').openapi({ description: 'Cloudflare notification webhooks; the secret comes in cf-webhook-auth' }),
    urlToken('generic').openapi({ description: 'Scripts posting the generic format; the secret is in the URL' }),
  ])
  .openapi('CreateDetectorSource');
export const DetectorSourceOut = z
  .object({
    id: z.string(),
    type: z.enum(DETECTOR_TYPES),
    name: z.string(),
    options: z.record(z.string(), z.unknown()),
    ingestPath: z.string().openapi({ description: 'Where the detector posts (URL-token sources: followed by /<secret>, shown once at creation)' }),
    counts: z.record(z.string(), z.number()).openapi({ description: 'Deliveries by outcome: event, ignored, bad_proof, replayed, address_refused, invalid' }),
    lastEventAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('DetectorSource');
export const CreatedDetectorSourceOut = DetectorSourceOut.extend({
  url: z.string().openapi({ description: 'The URL to paste into the detector (for URL-token sources it holds the secret): shown once' }),
  secret: z.string().openapi({ description: 'Shown once; stored encrypted' }),
  setup: z.string().openapi({ description: 'Where it goes in the detector' }),
}).openapi('CreatedDetectorSource');
export const ingestParams = z.object({ sourceId: resourceId }).strict();
export const ingestTokenParams = z.object({ sourceId: resourceId, token: z.string().min(1).max(200) }).strict();
export const DetectorDeliveryOut = z
  .object({
    outcome: z.enum(['accepted', 'ignored', 'duplicate']),
    reason: z.string().optional().openapi({ description: 'Why nothing was done (a test message, an event type that is no incident)' }),
    incidentId: z.string().optional(),
    phase: z.enum(['start', 'update', 'end']).optional(),
    delivery: z.enum(['delivered', 'queued']).optional(),
  })
  .openapi('DetectorDelivery');
