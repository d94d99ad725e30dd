/**
 * The workspace state the decision module works on, and its read-only view.
 * Plain JSON only (no Map, Set, Date or classes): it is carried through
 * continue-as-new and returned by the `state` query. Never holds a secret.
 */

export type Scope = 'workspace' | string[];
export type Operation = 'activate' | 'withdraw';
export type DesiredState = 'active' | 'inactive';
export type ActualState = 'inactive' | 'activating' | 'active' | 'withdrawing' | 'failed';
export type ManualOverride = 'activate' | 'withdraw' | null;

/** Non-secret integration configuration, as the workflow sees it. */
export interface IntegrationConfig {
  id: string;
  type: string;
  name?: string;
  /** Default true. */
  autoDivert?: boolean;
  /** Default 'workspace': any incident triggers it. */
  scope?: Scope;
}

export interface IncidentStart {
  incidentId: string;
  /** IP address under attack; no target (or one that does not parse) triggers every integration. */
  target?: string;
  severity?: string;
  startedAt?: string;
  source?: string;
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
  config: Required<Pick<IntegrationConfig, 'id' | 'type' | 'autoDivert' | 'scope'>> & { name?: string };
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
  inFlight: { op: Operation; seq: number } | null;
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
}

export interface WorkspaceState {
  workspaceId: string;
  configVersion: number;
  holdDownSeconds: number;
  incidents: Record<string, ActiveIncident>;
  /** Resolved incident IDs (also resolves seen before their start), oldest first, bounded. */
  closedIncidentIds: string[];
  integrations: Record<string, IntegrationState>;
}

export const MAX_REMEMBERED_INCIDENT_IDS = 1000;
export const DEFAULT_HOLD_DOWN_SECONDS = 300;

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
}

export interface WorkspaceView {
  workspaceId: string;
  configVersion: number;
  holdDownSeconds: number;
  activeIncidents: ActiveIncident[];
  integrations: IntegrationView[];
  pendingHoldDowns: { integrationId: string; until: string }[];
}

export function integrationView(integration: IntegrationState): IntegrationView {
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
  };
}

export function workspaceView(state: WorkspaceState): WorkspaceView {
  const integrations = Object.values(state.integrations);
  return {
    workspaceId: state.workspaceId,
    configVersion: state.configVersion,
    holdDownSeconds: state.holdDownSeconds,
    activeIncidents: Object.values(state.incidents),
    integrations: integrations.map(integrationView),
    pendingHoldDowns: integrations
      .filter((i) => i.holdDownUntil !== null)
      .map((i) => ({ integrationId: i.config.id, until: new Date(i.holdDownUntil as number).toISOString() })),
  };
}

/** The earliest hold-down deadline, or null when no timer is needed. */
export function nextDeadline(state: WorkspaceState): number | null {
  let earliest: number | null = null;
  for (const integration of Object.values(state.integrations)) {
    const until = integration.holdDownUntil;
    if (until !== null && (earliest === null || until < earliest)) earliest = until;
  }
  return earliest;
}
