/**
 * The pure decision module: (state, event) -> (new state, commands).
 * Every scrubbing rule lives here so it can be table-tested without a server.
 * It must never import Temporal, read the clock or do I/O: time comes in the event.
 */
import { addressInAnyCidr, isValidAddress } from './cidr';
import {
  ActiveIncident,
  IncidentStart,
  IntegrationConfig,
  IntegrationState,
  MAX_REMEMBERED_INCIDENT_IDS,
  Operation,
  OperationError,
  WorkspaceState,
  newIntegrationState,
  normaliseConfig,
} from './state';

export * from './state';

export type WorkspaceEvent =
  | { type: 'incidentStarted'; now: number; incident: IncidentStart }
  | { type: 'incidentResolved'; now: number; incidentId: string }
  | {
      type: 'configChanged';
      now: number;
      config: { version: number; holdDownSeconds: number; integrations: IntegrationConfig[] };
    }
  | { type: 'operationFinished'; now: number; integrationId: string; seq: number; diverted: boolean; attempts: number }
  | { type: 'operationFailed'; now: number; integrationId: string; seq: number; error: OperationError; attempts: number }
  | { type: 'timerFired'; now: number }
  | { type: 'manualAction'; now: number; integrationId: string; action: Operation };

export type Command =
  | { kind: 'runOperation'; integrationId: string; op: Operation; seq: number }
  | { kind: 'startHoldDown'; integrationId: string; until: number }
  | { kind: 'cancelHoldDown'; integrationId: string }
  | { kind: 'forgetIntegration'; integrationId: string };

export interface Decision {
  state: WorkspaceState;
  commands: Command[];
}

/** Applies one event and reconciles every integration. Never mutates its input. */
export function decide(previous: WorkspaceState, event: WorkspaceEvent): Decision {
  const state = JSON.parse(JSON.stringify(previous)) as WorkspaceState;
  applyEvent(state, event);
  const commands: Command[] = [];
  for (const integration of Object.values(state.integrations)) {
    reconcileIntegration(state, integration, event.now, commands);
  }
  return { state, commands };
}

/** Whether `incident` triggers `integration` automatically (rule 2). */
export function triggers(integration: IntegrationState, incident: IncidentStart): boolean {
  const { autoDivert, scope } = integration.config;
  if (!autoDivert || integration.removed) return false;
  if (scope === 'workspace') return true;
  // Without a usable target we cannot rule the integration out: divert rather than miss an attack.
  if (incident.target === undefined || !isValidAddress(incident.target)) return true;
  return addressInAnyCidr(incident.target, scope);
}

export function isTriggered(state: WorkspaceState, integration: IntegrationState): boolean {
  return Object.values(state.incidents).some((incident) => triggers(integration, incident));
}

function applyEvent(state: WorkspaceState, event: WorkspaceEvent): void {
  switch (event.type) {
    case 'incidentStarted':
      return startIncident(state, event.incident, event.now);
    case 'incidentResolved':
      return resolveIncident(state, event.incidentId);
    case 'configChanged':
      return changeConfig(state, event.config, event.now);
    case 'operationFinished':
    case 'operationFailed':
      return finishOperation(state, event);
    case 'manualAction':
      return takeManualAction(state, event.integrationId, event.action);
    case 'timerFired':
      return; // Expired hold-downs are found by reconcileIntegration from `now`.
  }
}

function startIncident(state: WorkspaceState, incident: IncidentStart, now: number): void {
  const id = incident.incidentId;
  // Idempotent on the ID; a start after its resolve (late duplicate or out of order) is ignored.
  if (state.incidents[id] || state.closedIncidentIds.includes(id)) return;
  const active: ActiveIncident = { ...incident, receivedAt: now };
  state.incidents[id] = active;
  for (const integration of Object.values(state.integrations)) {
    if (!triggers(integration, active)) continue;
    // A new attack ends a manual withdraw (rule 5) and retries a failed operation (rule 7).
    if (integration.manual === 'withdraw') integration.manual = null;
    if (integration.actual === 'failed') integration.retryRequested = true;
  }
}

function resolveIncident(state: WorkspaceState, incidentId: string): void {
  if (state.incidents[incidentId]) delete state.incidents[incidentId];
  else if (state.closedIncidentIds.includes(incidentId)) return;
  state.closedIncidentIds.push(incidentId);
  if (state.closedIncidentIds.length > MAX_REMEMBERED_INCIDENT_IDS) {
    state.closedIncidentIds.splice(0, state.closedIncidentIds.length - MAX_REMEMBERED_INCIDENT_IDS);
  }
}

function changeConfig(
  state: WorkspaceState,
  config: Extract<WorkspaceEvent, { type: 'configChanged' }>['config'],
  now: number,
): void {
  if (config.version <= state.configVersion) return; // stale snapshot
  state.configVersion = config.version;
  state.holdDownSeconds = config.holdDownSeconds;
  const present = new Set(config.integrations.map((i) => i.id));
  for (const integrationConfig of config.integrations) {
    const existing = state.integrations[integrationConfig.id];
    if (existing) {
      existing.config = normaliseConfig(integrationConfig);
      existing.removed = false;
    } else {
      state.integrations[integrationConfig.id] = newIntegrationState(integrationConfig, now);
    }
  }
  for (const integration of Object.values(state.integrations)) {
    if (present.has(integration.config.id)) continue;
    integration.removed = true;
    integration.manual = null;
  }
}

function finishOperation(
  state: WorkspaceState,
  event: Extract<WorkspaceEvent, { type: 'operationFinished' | 'operationFailed' }>,
): void {
  const integration = state.integrations[event.integrationId];
  if (!integration || integration.inFlight?.seq !== event.seq) return; // stale or unknown
  const op = integration.inFlight.op;
  integration.inFlight = null;
  integration.opsFinished = event.seq;
  integration.attempts = event.attempts;
  integration.since = event.now;
  if (event.type === 'operationFinished') {
    integration.actual = event.diverted ? 'active' : 'inactive';
    integration.lastError = null;
    integration.failedOp = null;
  } else {
    integration.actual = 'failed';
    integration.lastError = event.error;
    integration.failedOp = op;
  }
}

function takeManualAction(state: WorkspaceState, integrationId: string, action: Operation): void {
  const integration = state.integrations[integrationId];
  if (!integration) return; // the update validator rejects these before they reach history
  if (integration.removed && action === 'activate') return;
  integration.manual = action;
  integration.forceRun = true;
}

/** Sets desired state and hold-down (rules 4, 5, 8), then starts an operation if one is due (rule 6). */
function reconcileIntegration(
  state: WorkspaceState,
  integration: IntegrationState,
  now: number,
  commands: Command[],
): void {
  const id = integration.config.id;
  const previousHoldDown = integration.holdDownUntil;
  if (integration.removed || integration.manual === 'withdraw') {
    integration.desired = 'inactive';
    integration.holdDownUntil = null;
  } else if (integration.manual === 'activate' || isTriggered(state, integration)) {
    integration.desired = 'active';
    integration.holdDownUntil = null;
  } else if (integration.desired === 'active') {
    if (integration.holdDownUntil === null && state.holdDownSeconds > 0) {
      integration.holdDownUntil = now + state.holdDownSeconds * 1000;
    } else if (integration.holdDownUntil === null || now >= integration.holdDownUntil) {
      integration.desired = 'inactive';
      integration.holdDownUntil = null;
    }
  }
  if (integration.holdDownUntil !== null && previousHoldDown === null) {
    commands.push({ kind: 'startHoldDown', integrationId: id, until: integration.holdDownUntil });
  } else if (integration.holdDownUntil === null && previousHoldDown !== null && integration.desired === 'active') {
    commands.push({ kind: 'cancelHoldDown', integrationId: id });
  }

  if (integration.inFlight === null && operationDue(integration)) {
    const op: Operation = integration.desired === 'active' ? 'activate' : 'withdraw';
    const seq = integration.opsStarted + 1;
    integration.opsStarted = seq;
    integration.inFlight = { op, seq };
    integration.actual = op === 'activate' ? 'activating' : 'withdrawing';
    integration.since = now;
    integration.forceRun = false;
    integration.retryRequested = false;
    commands.push({ kind: 'runOperation', integrationId: id, op, seq });
  }

  if (integration.removed && integration.inFlight === null && integration.actual === 'inactive') {
    delete state.integrations[id];
    commands.push({ kind: 'forgetIntegration', integrationId: id });
  }
}

function operationDue(integration: IntegrationState): boolean {
  if (integration.forceRun) return true;
  switch (integration.actual) {
    case 'inactive':
      return integration.desired === 'active';
    case 'active':
      return integration.desired === 'inactive';
    case 'failed': {
      const failedTowards = integration.failedOp === 'activate' ? 'active' : 'inactive';
      return integration.retryRequested || integration.desired !== failedTowards;
    }
    default:
      return false; // an operation is in flight
  }
}
