/**
 * The workspace state the decision module works on, and its read-only view.
 * Plain JSON only (no Map, Set, Date or classes): it is carried through
 * continue-as-new and returned by the `state` query. Never holds a secret.
 */
import type { IntegrationConfigRecord, IntegrationSnapshot } from '../catalog/integration';
import { calmDeadlines, dotsStatus, readingsDropped, telemetryView, type DotsCode, type TelemetryState, type TelemetryView } from './calm-gate';
import { LEGACY_PROVIDER_FACTS, withOverrides, type EffectiveHoldDown, type ProviderFacts, type ProviderTiming, type WorkspacePolicy } from './policy';

export type Scope = IntegrationConfigRecord['scope'];
export type Operation = 'activate' | 'withdraw';
export type DesiredState = 'active' | 'inactive';
export type ActualState = 'inactive' | 'activating' | 'active' | 'withdrawing' | 'failed';
export type ManualOverride = 'activate' | 'withdraw' | null;

/**
 * Non-secret integration configuration, as the workflow sees it: derived from its one definition
 * (catalog/integration.ts); only what differs from the defaults is present (autoDivert true,
 * scope 'workspace', no dry run, drift repaired, the provider type's windows).
 */
export type IntegrationConfig = IntegrationSnapshot;

export type DriftAction = IntegrationConfigRecord['onDrift'];
/** The calm gate's settings on an integration (workflows/calm-gate.ts); absent: the provider type's defaults. */
type CalmField = 'calmGate' | 'calmDroppedBps' | 'calmDroppedPps' | 'calmSeconds' | 'calmMaxWaitSeconds' | 'calmOnMaxWait';

/** The provider's answer to the last status read. */
export interface ProviderObservation {
  /** `pending`: the provider is still applying a change (creationPending, "in process", an advertisement under way). */
  observed: 'diverted' | 'not_diverted' | 'pending' | 'unknown';
  detail: string;
  checkedAt: number;
}

/** The provider held something else than our state said, found by reconciliation. */
export interface DriftRecord {
  detectedAt: number;
  expected: 'diverted' | 'not_diverted';
  observed: 'diverted' | 'not_diverted';
  /** `repaired`: our state was re-applied; `reported`: left as found (report-only). */
  action: 'repaired' | 'reported';
  /** Still different at the last status read (report-only keeps it open). */
  open: boolean;
  /** Drifts seen since the integration was created. */
  count: number;
}

export interface IncidentStart {
  incidentId: string;
  /** IP address under attack; no target (or one that does not parse) triggers every integration. */
  target?: string;
  severity?: string;
  startedAt?: string;
  source?: string;
  /** Peak attack traffic the detector saw (bits and packets per second), kept for rules that use them. */
  peakBps?: number;
  peakPps?: number;
}

export interface ActiveIncident extends IncidentStart {
  receivedAt: number;
}

export interface OperationError {
  type: string;
  message: string;
  nonRetryable: boolean;
}

export interface IntegrationState {
  config: Required<Pick<IntegrationConfig, 'id' | 'type' | 'autoDivert' | 'scope'>> &
    Pick<IntegrationConfig, 'name' | 'dryRun' | 'onDrift' | 'minActiveSeconds' | 'reactivateAfterSeconds' | CalmField>;
  desired: DesiredState;
  actual: ActualState;
  /** When `actual` last changed (ms since epoch). */
  since: number;
  lastError: OperationError | null;
  /** Provider attempts of the last finished operation. */
  attempts: number;
  manual: ManualOverride;
  /** Withdraw when this passes (ms since epoch), unless something triggers the integration again. */
  holdDownUntil: number | null;
  /** The operation in flight; `manualUpTo`: it serves the manual actions numbered up to this (`manualTickets`). */
  inFlight: { op: Operation; seq: number; manualUpTo?: number } | null;
  /** Manual actions taken so far, each numbered: the operation that starts after one serves it (and any before it). */
  manualTickets?: number;
  /** The operation that failed, while `actual` is 'failed'. */
  failedOp: Operation | null;
  /** Operation sequence numbers: ops run one at a time, so they finish in start order. */
  opsStarted: number;
  opsFinished: number;
  /** A manual action asked for a provider call even if the state already matches. */
  forceRun: boolean;
  /** A new triggering incident asked to retry a failed operation. */
  retryRequested: boolean;
  /** Deleted from the configuration: withdraw if needed, then forget. */
  removed: boolean;
  /** Active incidents that trigger it, kept by the decision module; absent = count again (carried from a run before it). */
  triggeredBy?: number;
  // Provider policy (workflows/policy.ts); absent in states carried from runs before it.
  /** When the provider last confirmed an activation (a withdrawal), ms since epoch. */
  activatedAt?: number | null;
  withdrawnAt?: number | null;
  /** An activation waits for the provider's re-activation window until then, for `waitReason`. */
  waitingUntil?: number | null;
  waitReason?: string | null;
  /** Why `holdDownUntil` is what it is (flap damping, minimum on-time). */
  holdDownReason?: string | null;
  /** A status read is in flight, sent when `opsStarted` was `checkedOps` (a later operation makes its answer stale). */
  checking?: boolean;
  checkedOps?: number;
  /** When the last status read was sent (ms since epoch). */
  checkStartedAt?: number;
  provider?: ProviderObservation | null;
  drift?: DriftRecord | null;
  /** The next status read is a recovering run's first look: a diversion found is taken as ours. */
  adoptOnRead?: boolean;
  /** The provider's telemetry and the calm gate (workflows/calm-gate.ts); absent: never read. */
  telemetry?: TelemetryState;
}

export interface WorkspaceState {
  workspaceId: string;
  configVersion: number;
  holdDownSeconds: number;
  /** Active incidents by `incidentKey`, oldest first. */
  incidents: Record<string, ActiveIncident>;
  /** Only in a state carried through continue-as-new: `incidents`, packed (`packState`). */
  packedIncidents?: PackedIncidents;
  /** Starts refused since the workspace reached MAX_ACTIVE_INCIDENTS; reset once it is below again. */
  refusedIncidents?: number;
  /** How many `incidents` holds, kept by the decision module; absent = count again (carried from a run before it). */
  incidentCount?: number;
  /** Keys of resolved incidents (also resolves seen before their start), oldest first, bounded. */
  closedIncidentIds: string[];
  integrations: Record<string, IntegrationState>;
  // Provider policy, on for runs that started with it (the workflow's patch); absent before.
  rules?: boolean;
  /** Per provider type, what the catalog said with the newest configuration (absent: `LEGACY_PROVIDER_FACTS`). */
  providers?: Record<string, ProviderFacts>;
  policy?: WorkspacePolicy;
  /** Start times of recent attack waves (an incident while none was active), for flap damping. */
  waves?: number[];
  /** The hold-down flap damping gives now, and why. */
  holdDown?: EffectiveHoldDown;
  /** When the provider status of every integration is read next (a durable timer). */
  nextReconcileAt?: number | null;
  /** When provider telemetry is read next, while a gated integration is diverted (a durable timer). */
  nextTelemetryAt?: number | null;
}

export const MAX_REMEMBERED_INCIDENT_IDS = 1000;
/**
 * Active incidents a workspace may have (a carpet bomb of 20,000 targets fits). Beyond it a
 * start is refused (the API answers 429 before, `incident_limit`); at it the carried state is
 * at most about 0.5 MB, far below Temporal's 2 MB payload limit whatever the incident IDs (see `incidentKey`).
 */
export const MAX_ACTIVE_INCIDENTS = 20_000;
/** IDs up to this length are kept as they are; longer ones are kept as a 53-bit hash (`#…`). */
const MAX_VERBATIM_ID_LENGTH = 24;
/** Incidents a state view lists (a carpet bomb has thousands; the count is always given). */
const MAX_LISTED_INCIDENTS = 100;
/** Incident IDs a notification names. */
export const MAX_NOTIFIED_INCIDENTS = 20;
const DEFAULT_HOLD_DOWN_SECONDS = 300;

export function initialState(workspaceId: string): WorkspaceState {
  return {
    workspaceId,
    configVersion: -1,
    holdDownSeconds: DEFAULT_HOLD_DOWN_SECONDS,
    incidents: {},
    closedIncidentIds: [],
    integrations: {},
  };
}

export function newIntegrationState(config: IntegrationConfig, now: number): IntegrationState {
  return {
    config: normaliseConfig(config),
    desired: 'inactive',
    actual: 'inactive',
    since: now,
    lastError: null,
    attempts: 0,
    manual: null,
    holdDownUntil: null,
    inFlight: null,
    failedOp: null,
    opsStarted: 0,
    opsFinished: 0,
    forceRun: false,
    retryRequested: false,
    removed: false,
  };
}

export function normaliseConfig(config: IntegrationConfig): IntegrationState['config'] {
  return {
    id: config.id,
    type: config.type,
    ...(config.name === undefined ? {} : { name: config.name }),
    autoDivert: config.autoDivert ?? true,
    scope: config.scope ?? 'workspace',
    ...(config.dryRun ? { dryRun: true } : {}),
    ...(config.onDrift === 'report' ? { onDrift: 'report' as const } : {}),
    ...(config.minActiveSeconds === undefined ? {} : { minActiveSeconds: config.minActiveSeconds }),
    ...(config.reactivateAfterSeconds === undefined ? {} : { reactivateAfterSeconds: config.reactivateAfterSeconds }),
    ...(config.calmGate === false ? { calmGate: false } : {}),
    ...(config.calmDroppedBps === undefined ? {} : { calmDroppedBps: config.calmDroppedBps }),
    ...(config.calmDroppedPps === undefined ? {} : { calmDroppedPps: config.calmDroppedPps }),
    ...(config.calmSeconds === undefined ? {} : { calmSeconds: config.calmSeconds }),
    ...(config.calmMaxWaitSeconds === undefined ? {} : { calmMaxWaitSeconds: config.calmMaxWaitSeconds }),
    ...(config.calmOnMaxWait === undefined ? {} : { calmOnMaxWait: config.calmOnMaxWait }),
  };
}

export interface IntegrationView {
  id: string;
  type: string;
  name?: string;
  autoDivert: boolean;
  scope: Scope;
  desired: DesiredState;
  actual: ActualState;
  since: string;
  lastError: OperationError | null;
  attempts: number;
  manual: ManualOverride;
  holdDownUntil: string | null;
  removed: boolean;
  // Provider policy (absent for runs started before it).
  dryRun?: boolean;
  onDrift?: DriftAction;
  timing?: ProviderTiming & { why: string };
  holdDownReason?: string | null;
  /** An activation waits for the provider's re-activation window; an operator's Activate does not wait. */
  activationWaitsUntil?: string | null;
  waitReason?: string | null;
  provider?: { observed: ProviderObservation['observed']; detail: string; checkedAt: string } | null;
  drift?: (Omit<DriftRecord, 'detectedAt'> & { detectedAt: string }) | null;
  /** The provider's own view of the attack and the calm gate: the last reading, why a withdrawal waits. */
  telemetry?: TelemetryView;
  /** The diversion in IETF DOTS status terms (RFC 9132); null: never diverted. */
  dots?: { code: DotsCode; status: string } | null;
}

export interface WorkspaceView {
  workspaceId: string;
  configVersion: number;
  holdDownSeconds: number;
  /** The first MAX_LISTED_INCIDENTS active incidents, oldest first; `activeIncidentCount` counts them all. */
  activeIncidents: ActiveIncident[];
  activeIncidentCount: number;
  /** Starts refused since the workspace reached MAX_ACTIVE_INCIDENTS (absent while below it). */
  refusedIncidents?: number;
  integrations: IntegrationView[];
  pendingHoldDowns: { integrationId: string; until: string }[];
  // Provider policy (absent for runs started before it).
  policy?: WorkspacePolicy;
  /** The hold-down flap damping gives as of the last event, and why. */
  holdDown?: EffectiveHoldDown;
  nextReconcileAt?: string | null;
  nextTelemetryAt?: string | null;
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** What the run knows of a provider type: from the configuration, else the table of runs from before the catalog. */
export function providerFacts(state: Pick<WorkspaceState, 'providers'>, type: string): ProviderFacts | undefined {
  return state.providers?.[type] ?? LEGACY_PROVIDER_FACTS[type];
}

/** The windows in effect for an integration of the state. */
export function integrationTiming(state: Pick<WorkspaceState, 'providers'>, config: IntegrationState['config']): ProviderTiming & { why: string } {
  return withOverrides(providerFacts(state, config.type)?.timing, config);
}

export function integrationView(integration: IntegrationState, state: Pick<WorkspaceState, 'providers' | 'rules'>, triggered = false): IntegrationView {
  const rules = state.rules === true;
  return {
    ...integration.config,
    desired: integration.desired,
    actual: integration.actual,
    since: new Date(integration.since).toISOString(),
    lastError: integration.lastError,
    attempts: integration.attempts,
    manual: integration.manual,
    holdDownUntil: integration.holdDownUntil === null ? null : new Date(integration.holdDownUntil).toISOString(),
    removed: integration.removed,
    ...(rules ? policyView(integration, state, triggered) : {}),
  };
}

function policyView(integration: IntegrationState, state: Pick<WorkspaceState, 'providers'>, triggered: boolean): Partial<IntegrationView> {
  const { config, provider, drift } = integration;
  return {
    dryRun: config.dryRun === true,
    onDrift: config.onDrift ?? 'repair',
    timing: integrationTiming(state, config),
    holdDownReason: integration.holdDownUntil === null ? null : (integration.holdDownReason ?? null),
    activationWaitsUntil: iso(integration.waitingUntil),
    waitReason: integration.waitingUntil ? (integration.waitReason ?? null) : null,
    provider: provider ? { observed: provider.observed, detail: provider.detail, checkedAt: new Date(provider.checkedAt).toISOString() } : null,
    drift: drift ? { ...drift, detectedAt: new Date(drift.detectedAt).toISOString() } : null,
    telemetry: telemetryView(state, integration),
    dots: dotsStatus(state, integration, triggered),
  };
}

export function workspaceView(state: WorkspaceState): WorkspaceView {
  const integrations = Object.values(state.integrations);
  return {
    workspaceId: state.workspaceId,
    configVersion: state.configVersion,
    holdDownSeconds: state.holdDownSeconds,
    activeIncidents: firstIncidents(state, MAX_LISTED_INCIDENTS),
    activeIncidentCount: state.incidentCount ?? Object.keys(state.incidents).length,
    ...(state.refusedIncidents ? { refusedIncidents: state.refusedIncidents } : {}),
    integrations: integrations.map((i) => integrationView(i, state, (i.triggeredBy ?? 0) > 0)),
    pendingHoldDowns: integrations.filter((i) => i.holdDownUntil !== null).map((i) => ({ integrationId: i.config.id, until: new Date(i.holdDownUntil as number).toISOString() })),
    ...(state.rules
      ? {
          ...(state.policy ? { policy: state.policy } : {}),
          ...(state.holdDown ? { holdDown: state.holdDown } : {}),
          nextReconcileAt: iso(state.nextReconcileAt),
          ...(state.nextTelemetryAt ? { nextTelemetryAt: iso(state.nextTelemetryAt) } : {}),
        }
      : {}),
  };
}

/** The state to carry over when status reads are still in flight: they are dropped, and the next run reads again. */
export function readsDropped(state: WorkspaceState): WorkspaceState {
  const integrations = Object.fromEntries(
    Object.entries(state.integrations).map(([id, integration]) => [id, readingsDropped(integration.checking ? { ...integration, checking: false } : integration)]),
  );
  return { ...state, integrations };
}

/**
 * The earliest moment a decision is due without a message (a hold-down ends, a provider
 * window opens, reconciliation), or null when no timer is needed.
 */
export function nextDeadline(state: WorkspaceState): number | null {
  let earliest: number | null = null;
  const consider = (at: number | null | undefined) => {
    if (at !== null && at !== undefined && (earliest === null || at < earliest)) earliest = at;
  };
  for (const integration of Object.values(state.integrations)) {
    consider(integration.holdDownUntil);
    consider(integration.waitingUntil);
    for (const deadline of calmDeadlines(state, integration)) consider(deadline.at);
  }
  consider(state.nextReconcileAt);
  consider(state.nextTelemetryAt);
  return earliest;
}

/**
 * The key an incident is kept under: its ID, or for an ID longer than MAX_VERBATIM_ID_LENGTH a
 * 53-bit hash of it (cyrb53, `#` and base 36: 12 characters at most), so 20,000 incidents with
 * 200-character IDs still fit a continue-as-new input. Two long IDs of one workspace share a key
 * with a probability of about 2e-8 at 20,000 active incidents. API IDs never contain `#`.
 */
export function incidentKey(incidentId: string): string {
  return incidentId.length <= MAX_VERBATIM_ID_LENGTH ? incidentId : `#${hash53(incidentId)}`;
}

/** cyrb53: a 53-bit hash of a string, in base 36 (11 characters at most). Pure and deterministic. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * What the workflow knows of an integration's configuration, in 11 characters: the workflow sends
 * these when it reads a new configuration version, and gets back only the integrations that differ.
 */
export function configFingerprint(config: IntegrationConfig): string {
  return hash53(JSON.stringify(normaliseConfig(config)));
}

/** The first `limit` active incidents, oldest first, without listing them all. */
export function firstIncidents(state: WorkspaceState, limit: number): ActiveIncident[] {
  const first: ActiveIncident[] = [];
  if (limit <= 0) return first;
  for (const key in state.incidents) {
    first.push(state.incidents[key]!);
    if (first.length >= limit) break;
  }
  return first;
}

/**
 * Active incidents as a continue-as-new input carries them: keys, targets and arrival times in
 * columns (arrival as the difference from the one before), the whole incident only for those the
 * state view lists. About 25 bytes per incident at most, instead of 90 to 500.
 */
export interface PackedIncidents {
  keys: string[];
  /**
   * Front-coded: `<n>:<rest>` is the first n characters of the previous target followed by rest
   * (a carpet bomb's targets share long prefixes); '' for an incident without a target.
   */
  targets: string[];
  receivedAt: number[];
  /** The first MAX_LISTED_INCIDENTS, whole (severity, source, start time, full ID). */
  listed: ActiveIncident[];
}

/** The state to carry through continue-as-new: incidents packed. */
export function packState(state: WorkspaceState): WorkspaceState {
  const packed: PackedIncidents = { keys: [], targets: [], receivedAt: [], listed: [] };
  let previous = 0;
  let previousTarget = '';
  for (const key in state.incidents) {
    const incident = state.incidents[key]!;
    packed.keys.push(key);
    const target = incident.target ?? '';
    let shared = 0;
    while (shared < target.length && target[shared] === previousTarget[shared]) shared++;
    packed.targets.push(target === '' ? '' : `${shared}:${target.slice(shared)}`);
    if (target !== '') previousTarget = target;
    packed.receivedAt.push(incident.receivedAt - previous);
    previous = incident.receivedAt;
    if (packed.listed.length < MAX_LISTED_INCIDENTS) packed.listed.push(incident);
  }
  return { ...state, incidents: {}, packedIncidents: packed };
}

/**
 * The state a run starts from: incidents unpacked (those not listed keep their key as their ID,
 * a target and an arrival time). A state carried by a run before packing existed is re-keyed.
 */
export function unpackState(carried: WorkspaceState): WorkspaceState {
  const { packedIncidents: packed, ...state } = carried;
  const incidents: Record<string, ActiveIncident> = {};
  if (packed) {
    let receivedAt = 0;
    let previousTarget = '';
    for (let i = 0; i < packed.keys.length; i++) {
      const key = packed.keys[i]!;
      receivedAt += packed.receivedAt[i] ?? 0;
      const coded = packed.targets[i] ?? '';
      const colon = coded.indexOf(':');
      const target = coded === '' ? '' : previousTarget.slice(0, Number(coded.slice(0, colon))) + coded.slice(colon + 1);
      if (target !== '') previousTarget = target;
      incidents[key] = packed.listed[i] ?? { incidentId: key, ...(target ? { target } : {}), receivedAt };
    }
  } else {
    for (const [id, incident] of Object.entries(state.incidents)) incidents[incidentKey(id)] = incident;
  }
  return { ...state, incidents, closedIncidentIds: packed ? state.closedIncidentIds : state.closedIncidentIds.map(incidentKey) };
}
