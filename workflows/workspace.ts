/**
 * `workspaceScrubbing`: one long-lived workflow per workspace. It feeds every
 * message into the pure decision module and carries out the commands it returns:
 * provider operations (one in flight per integration, integrations in parallel)
 * and hold-down timers. It must stay deterministic: it imports only
 * @temporalio/workflow and pure modules, and never sees a credential.
 */
import * as wf from '@temporalio/workflow';
import { Command, WorkspaceEvent, decideInPlace } from './decide';
import { decideFirstGenerationInPlace } from './first-generation';
import type { NotificationEvent } from '../catalog/notifications';
import type { ProviderStatus } from '../catalog/contract';
import {
  AUDIT_ACTIVITY,
  LOAD_CONFIG_ACTIVITY,
  NOTIFY_ACTIVITY,
  PURGE_ACTIVITY,
  RECOVER_ACTIVITY,
  type AuditEntry,
  type ConfigDelta,
  type IntegrationRef,
  type LoadConfigInput,
  type RecoverInput,
  type RecoveredIncidents,
  OperationFailureDetails,
  OperationInput,
  OperationResult,
} from './activity-names';
import {
  type BookkeepingTask,
  ManualActionRequest,
  OperationRetryOptions,
  WorkspaceConfig,
  WorkspaceWorkflowInput,
  activateUpdate,
  backgroundTaskQueue,
  configPublishedSignal,
  incidentReportsSignal,
  incidentResolvedSignal,
  incidentStartedSignal,
  integrationsChangedSignal,
  stateQuery,
  withdrawUpdate,
} from './messages';
import {
  IncidentStart,
  IntegrationView,
  MAX_NOTIFIED_INCIDENTS,
  Operation,
  OperationError,
  WorkspaceState,
  configFingerprint,
  firstIncidents,
  initialState,
  integrationView,
  nextDeadline,
  packState,
  providerFacts,
  readsDropped,
  unpackState,
  workspaceView,
} from './state';
import { isIncidentReportBatch, isIncidentResolved, isIncidentStart, isManualActionRequest, isWorkspaceConfig } from './validate';
import { SCRUBBING_STATE, WORKSPACE_ID, scrubbingStateOf, type ScrubbingState } from './search-attributes';

export const DEFAULT_OPERATION_RETRY: OperationRetryOptions = {
  initialIntervalMs: 1_000,
  maximumIntervalMs: 30_000,
  maximumAttempts: 20,
  startToCloseTimeoutMs: 60_000,
  heartbeatTimeoutMs: 10_000,
};

type OperationActivity = (input: OperationInput) => Promise<OperationResult>;

/** Histories recorded before the audit trail and purge existed replay without them. */
const AUDIT_TRAIL_PATCH = 'audit-trail-v1';
/** Likewise for the search attributes the Temporal UI filters on. */
const SEARCH_ATTRIBUTES_PATCH = 'search-attributes-v1';
/** Likewise for notifications. */
const NOTIFICATIONS_PATCH = 'notifications-v1';
/**
 * Provider policy (reconciliation, provider windows, flap damping, dry run): on for runs that
 * start with it, so a run recorded before it replays with the rules it was recorded with.
 */
const PROVIDER_POLICY_PATCH = 'provider-policy-v1';
/** Notifications, status reads and bookkeeping on the background task queue; runs recorded before it keep the workflow's queue. */
const BACKGROUND_QUEUE_PATCH = 'background-task-queue-v1';
/** A run that starts without a predecessor reads the incident record (runs recorded before it did not). */
const RECOVERY_PATCH = 'recover-incidents-v1';
/**
 * A provider operation's success is audited by its activity (runs recorded before it audit it with a
 * separate bookkeeping activity, whose completion cost a workflow task on the attack path).
 */
const OPERATION_AUDIT_PATCH = 'operation-audit-v1';
/** Recovery reads at most this many pages of the incident record (activities/RECOVERY_PAGE each). */
const MAX_RECOVERY_PAGES = 10;

interface BookkeepingActivities {
  [AUDIT_ACTIVITY](entry: AuditEntry): Promise<void>;
  [PURGE_ACTIVITY](ref: IntegrationRef): Promise<void>;
}

interface NotificationActivities {
  [NOTIFY_ACTIVITY](event: NotificationEvent): Promise<unknown>;
}

interface RecoveryActivities {
  [RECOVER_ACTIVITY](input: RecoverInput): Promise<RecoveredIncidents>;
  [LOAD_CONFIG_ACTIVITY](input: LoadConfigInput): Promise<ConfigDelta | null>;
}

interface StatusActivities {
  integrationStatus(ref: IntegrationRef): Promise<ProviderStatus>;
}

export async function workspaceScrubbing(input: WorkspaceWorkflowInput): Promise<void> {
  const retry = { ...DEFAULT_OPERATION_RETRY, ...input.retry };
  const activities = wf.proxyActivities<Record<string, OperationActivity>>({
    startToCloseTimeout: retry.startToCloseTimeoutMs,
    ...(retry.heartbeatTimeoutMs ? { heartbeatTimeout: retry.heartbeatTimeoutMs } : {}),
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });

  // Everything but provider operations runs on its own task queue, so it never takes their worker slots.
  const background = wf.patched(BACKGROUND_QUEUE_PATCH) ? { taskQueue: backgroundTaskQueue(wf.workflowInfo().taskQueue) } : {};

  // Bookkeeping never blocks a diversion and is retried until the database answers.
  const bookkeeping = wf.proxyActivities<BookkeepingActivities>({
    ...background,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

  // Notifications have their own, bounded retries: a channel that stays down is given up.
  const notifications = wf.proxyActivities<NotificationActivities>({
    ...background,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });

  // A status read is a snapshot: a few quick attempts, and the next reconciliation tries again.
  const status = wf.proxyActivities<StatusActivities>({
    ...background,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
  });

  // The incident record, read when a run starts without a predecessor: a local activity, so it
  // costs no extra round trip through Temporal.
  const recovery = wf.proxyLocalActivities<RecoveryActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 5 },
  });

  let state: WorkspaceState = input.carried ? unpackState(input.carried) : initialState(input.workspaceId);
  if (wf.patched(PROVIDER_POLICY_PATCH) && !state.rules) state = { ...state, rules: true };
  /** Whether the workspace has notification channels, from the newest configuration seen. */
  let notificationsOn = input.config?.notifications === true;
  let eventsSent = 0;
  let operationsInFlight = 0;
  let readsInFlight = 0;
  /** Background tasks not finished yet, carried to the next run if it starts before they end. */
  const unfinished = new Map<number, BookkeepingTask>();
  let tasksStarted = 0;

  function inBackground(task: BookkeepingTask): void {
    const id = ++tasksStarted;
    unfinished.set(id, task);
    void runTask(task)
      .catch((err: unknown) => wf.log.warn('bookkeeping failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        unfinished.delete(id);
      });
  }

  function runTask(task: BookkeepingTask): Promise<void> {
    switch (task.kind) {
      case 'audit':
        return bookkeeping[AUDIT_ACTIVITY](task.entry);
      case 'purge':
        return bookkeeping[PURGE_ACTIVITY](task.ref);
      case 'notify':
        return notifications[NOTIFY_ACTIVITY](task.event).then(() => undefined);
    }
  }

  function audit(entry: Omit<AuditEntry, 'workspace'>): void {
    if (!wf.patched(AUDIT_TRAIL_PATCH)) return;
    inBackground({ kind: 'audit', entry: { workspace: state.workspaceId, ...entry } });
  }
  /** Sends a workflow event to the workspace's channels, in the background, when it has any. */
  function notify(event: Omit<NotificationEvent, 'id' | 'workspaceId' | 'workflowId' | 'incidents' | 'at' | 'integration'> & { integrationId: string }): void {
    if (!notificationsOn || !wf.patched(NOTIFICATIONS_PATCH)) return;
    const { integrationId, ...rest } = event;
    const integration = state.integrations[integrationId];
    const info = wf.workflowInfo();
    const full: NotificationEvent = {
      id: `${info.workflowId}/${info.runId}/${++eventsSent}`,
      workspaceId: state.workspaceId,
      workflowId: info.workflowId,
      integration: { id: integrationId, type: integration?.config.type ?? 'unknown', ...(integration?.config.name ? { name: integration.config.name } : {}) },
      incidents: firstIncidents(state, MAX_NOTIFIED_INCIDENTS).map((incident) => incident.incidentId),
      incidentCount: state.incidentCount ?? Object.keys(state.incidents).length,
      at: new Date(Date.now()).toISOString(),
      ...rest,
    };
    inBackground({ kind: 'notify', event: full });
  }

  /**
   * Per integration, the outcomes of operations that served manual actions, oldest first: an
   * operation serves every action numbered up to its `manualUpTo` (decide numbers them), so each
   * action waits for the first outcome that covers its own number, whatever else is in flight.
   * Kept only while an action waits.
   */
  const manualOutcomes = new Map<string, { upTo: number; op: Operation; error: OperationError | null }[]>();
  const manualWaiting = new Map<string, Set<number>>();
  const servedOutcome = (integrationId: string, ticket: number) => manualOutcomes.get(integrationId)?.find((o) => o.upTo >= ticket);
  function recordManualOutcome(integrationId: string, upTo: number | undefined, op: Operation, error: OperationError | null): void {
    if (upTo === undefined || !manualWaiting.get(integrationId)?.size) return;
    manualOutcomes.set(integrationId, [...(manualOutcomes.get(integrationId) ?? []), { upTo, op, error }]);
  }

  let publishedState: ScrubbingState | undefined;

  function apply(event: WorkspaceEvent): void {
    const decision = (state.rules ? decideInPlace : decideFirstGenerationInPlace)(state, event);
    state = decision.state;
    decision.commands.forEach(dispatch);
    publishScrubbingState();
  }

  /** Keeps `ScrubbingState` (and `WorkspaceId`) current for the UI's list, upserting only on change. */
  function publishScrubbingState(): void {
    const current = scrubbingStateOf(state);
    if (current === publishedState || !wf.patched(SEARCH_ATTRIBUTES_PATCH)) return;
    wf.upsertSearchAttributes([
      ...(publishedState === undefined ? [{ key: WORKSPACE_ID, value: state.workspaceId }] : []),
      { key: SCRUBBING_STATE, value: current },
    ]);
    publishedState = current;
  }

  /** Carries out one command of the decision module; a command kind without a case here does not compile. */
  function dispatch(command: Command): void {
    switch (command.kind) {
      case 'runOperation': {
        operationsInFlight++;
        const manualUpTo = state.integrations[command.integrationId]?.inFlight?.manualUpTo;
        void runOperation(command.integrationId, command.op, command.seq, command.dryRun === true, manualUpTo).finally(() => operationsInFlight--);
        return;
      }
      case 'checkStatus':
        readsInFlight++;
        void checkStatus(command.integrationId).finally(() => readsInFlight--);
        return;
      case 'driftDetected': {
        const { drift, integrationId, detail } = command;
        const repair = drift.action === 'repaired';
        const found = `provider shows ${drift.observed.replace('_', ' ')}, expected ${drift.expected.replace('_', ' ')}: ${detail}`;
        wf.log.warn('drift', { integrationId, expected: drift.expected, observed: drift.observed, action: drift.action });
        audit({ actor: 'workflow', action: 'drift', integration: integrationId, outcome: 'ok', detail: `${found}; ${repair ? 're-applying our state' : 'report only: left as found'}` });
        notify({ event: 'drift', integrationId, detail: found, ...(repair ? { operation: drift.expected === 'diverted' ? 'activate' : 'withdraw' } : {}) });
        return;
      }
      case 'activationDeferred': {
        const detail = `activation waits until ${new Date(command.until).toISOString()}: ${command.reason}`;
        audit({ actor: 'workflow', action: 'divert.deferred', integration: command.integrationId, outcome: 'requested', detail });
        notify({ event: 'activation_deferred', integrationId: command.integrationId, operation: 'activate', detail });
        return;
      }
      case 'diversionAdopted': {
        const detail = `the provider shows a diversion a run before this one made (${command.detail}); kept as ours, withdrawn after the hold-down once nothing triggers it`;
        wf.log.info('diversion adopted', { integrationId: command.integrationId });
        audit({ actor: 'workflow', action: 'divert.adopted', integration: command.integrationId, outcome: 'ok', detail });
        return;
      }
      case 'incidentLimitReached': {
        const detail = `the workspace has ${command.limit} active incidents, its limit: incident ${command.incidentId} and later starts are refused until some resolve`;
        wf.log.warn('incident limit reached', { incidentId: command.incidentId, limit: command.limit });
        audit({ actor: 'workflow', action: 'incident.refused', outcome: 'failed', detail });
        return;
      }
      case 'forgetIntegration':
        if (wf.patched(AUDIT_TRAIL_PATCH)) inBackground({ kind: 'purge', ref: { workspaceId: state.workspaceId, integrationId: command.integrationId } });
        else wf.log.info(`decision ${command.kind}`, { ...command });
        return;
      case 'startHoldDown':
      case 'cancelHoldDown':
        // Timers follow the state: the main loop sleeps until the earliest deadline (nextDeadline).
        wf.log.info(`decision ${command.kind}`, { ...command });
        return;
      default: {
        const unknown: never = command;
        wf.log.warn('unknown decision', { command: unknown });
      }
    }
  }

  /** One provider operation; in dry run, its decision is recorded as if the provider had done it, and nothing is called. */
  async function runOperation(integrationId: string, op: Operation, seq: number, dryRun: boolean, manualUpTo?: number): Promise<void> {
    const type = state.integrations[integrationId]?.config.type ?? 'unknown';
    // The catalog names the activity (it came with the configuration): the workflow knows no provider.
    const activity = activities[providerFacts(state, type)?.operations[op] ?? `${type}.${op}`] as OperationActivity;
    const verb = op === 'activate' ? 'divert' : 'withdraw';
    try {
      const incidents = Object.values(state.incidents);
      const firstIncidentAt = incidents.reduce<number | undefined>((first, i) => (first === undefined || i.receivedAt < first ? i.receivedAt : first), undefined);
      const context = { activeIncidents: incidents.length, ...(firstIncidentAt === undefined ? {} : { firstIncidentAt }) };
      // The success's audit record goes with the call: the activity writes it with the provider's detail.
      const success = { actor: 'workflow', action: dryRun ? `dry-run.${verb}` : verb, integration: integrationId, outcome: 'ok' as const };
      const result: OperationResult = dryRun
        ? await Promise.resolve({ diverted: op === 'activate', pending: false, detail: `dry run: would ${verb}; no provider call`, attempt: 0 })
        : await activity({ workspaceId: state.workspaceId, integrationId, operation: op, context, audit: { workspace: state.workspaceId, ...success } });
      recordManualOutcome(integrationId, manualUpTo, op, null);
      apply({ type: 'operationFinished', now: Date.now(), integrationId, seq, diverted: result.diverted, attempts: result.attempt });
      if (!(result.audited === true && wf.patched(OPERATION_AUDIT_PATCH))) audit({ ...success, detail: result.detail });
      notify(
        dryRun
          ? { event: 'dry_run', integrationId, operation: op, detail: result.detail }
          : { event: op === 'activate' ? 'diverted' : 'withdrawn', integrationId, operation: op, detail: result.detail },
      );
    } catch (err) {
      const error = toOperationError(err);
      recordManualOutcome(integrationId, manualUpTo, op, error);
      apply({ type: 'operationFailed', now: Date.now(), integrationId, seq, error, attempts: failedAttempts(err, retry) });
      const detail = `${error.type}: ${error.message}`;
      audit({ actor: 'workflow', action: op === 'activate' ? 'divert' : 'withdraw', integration: integrationId, outcome: 'failed', detail });
      notify({ event: 'operation_failed', integrationId, operation: op, error: { type: error.type, message: error.message } });
    }
  }

  /** Reconciliation: one status read; its answer goes to the decision module. */
  async function checkStatus(integrationId: string): Promise<void> {
    try {
      const observed = await status.integrationStatus({ workspaceId: state.workspaceId, integrationId });
      apply({ type: 'statusObserved', now: Date.now(), integrationId, diverted: observed.diverted, pending: observed.pending, detail: observed.detail });
    } catch (err) {
      const error = toOperationError(err);
      apply({ type: 'statusCheckFailed', now: Date.now(), integrationId, error: `${error.type}: ${error.message}` });
    }
  }

  /** Manual Activate/Withdraw: returns once the provider call that serves it has finished. */
  async function manualAction(request: ManualActionRequest, action: Operation): Promise<IntegrationView> {
    const { integrationId } = request;
    if (!configKnown) {
      await wf.condition(() => configKnown);
      try {
        validateManual(request, action);
      } catch (err) {
        throw wf.ApplicationFailure.create({ type: 'InvalidManualAction', message: err instanceof Error ? err.message : String(err), nonRetryable: true });
      }
    }
    wf.log.info(`manual ${action}`, { integrationId, actor: request.actor, ...(request.requestId ? { requestId: request.requestId } : {}) });
    apply({ type: 'manualAction', now: Date.now(), integrationId, action });
    const ticket = state.integrations[integrationId]?.manualTickets ?? 0;
    const waiting = manualWaiting.get(integrationId) ?? new Set<number>();
    manualWaiting.set(integrationId, waiting.add(ticket));
    try {
      await wf.condition(() => servedOutcome(integrationId, ticket) !== undefined || !state.integrations[integrationId]);
      const served = servedOutcome(integrationId, ticket);
      const outcome = served?.error ?? null;
      const integration = state.integrations[integrationId];
      audit({
        actor: request.actor ?? 'unknown',
        action: `manual.${action}`,
        integration: integrationId,
        outcome: outcome ? 'failed' : 'ok',
        detail: outcome ? `${outcome.type}: ${outcome.message}` : (request.reason ?? ''),
      });
      notify({
        event: 'manual_action',
        integrationId,
        operation: action,
        actor: request.actor ?? 'unknown',
        ...(outcome ? { error: { type: outcome.type, message: outcome.message } } : {}),
        ...(request.reason ? { detail: request.reason } : {}),
      });
      if (outcome) {
        throw wf.ApplicationFailure.create({
          type: 'ManualActionFailed',
          message: `${action} of integration ${integrationId} failed: ${outcome.type}: ${outcome.message}`,
          nonRetryable: true,
          details: integration ? [integrationView(integration, state)] : [],
        });
      }
      if (!integration) {
        throw wf.ApplicationFailure.create({ type: 'IntegrationRemoved', message: `integration ${integrationId} was removed`, nonRetryable: true });
      }
      if (served && served.op !== action) {
        const other = served.op === 'activate' ? 'Activate' : 'Withdraw';
        throw wf.ApplicationFailure.create({ type: 'ManualActionSuperseded', message: `a later manual ${other} of integration ${integrationId} took this one's place before it ran`, nonRetryable: true });
      }
      return integrationView(integration, state);
    } finally {
      waiting.delete(ticket);
      // Outcomes no waiting action needs are dropped (each waits for the first that covers it).
      const lowest = Math.min(...waiting);
      const kept = (manualOutcomes.get(integrationId) ?? []).filter((o) => o.upTo >= lowest);
      if (waiting.size === 0 || kept.length === 0) manualOutcomes.delete(integrationId);
      else manualOutcomes.set(integrationId, kept);
      if (waiting.size === 0) manualWaiting.delete(integrationId);
    }
  }

  function validateManual(request: ManualActionRequest, action: Operation): void {
    if (!isManualActionRequest(request)) throw new Error('invalid request: integrationId is required');
    if (!configKnown) return; // checked once the configuration is read (manualAction)
    const integration = state.integrations[request.integrationId];
    if (!integration) throw new Error(`unknown integration: ${request.integrationId}`);
    if (integration.removed && action === 'activate') {
      throw new Error(`integration ${request.integrationId} is being removed and cannot be activated`);
    }
  }

  // The starting configuration first: registering a handler delivers the messages buffered
  // for it at once, and an update's validator must already know the integrations.
  if (!input.carried && isWorkspaceConfig(input.config)) {
    apply({ type: 'configChanged', now: Date.now(), config: input.config });
  }
  const followConfig = (config: WorkspaceConfig): void => {
    if (config.version === state.configVersion) notificationsOn = config.notifications === true;
  };
  /** Whether this run has a configuration (false only while a run started without one reads it). */
  let configKnown = input.carried !== undefined || input.config !== undefined;
  /** The newest version announced (`configPublished`); read until the state has it. */
  let configWanted = configKnown ? -Infinity : 0;
  let configLoading = false;
  async function loadConfig(): Promise<void> {
    if (configLoading) return;
    configLoading = true;
    let failures = 0;
    const backOff = () => wf.sleep(Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5)));
    try {
      while ((!configKnown || state.configVersion < configWanted) && failures < 10) {
        const wanted = configWanted;
        try {
          // Only the integrations that differ from what this run has come back (a delta).
          const known: Record<string, string> = {};
          for (const integration of Object.values(state.integrations)) if (!integration.removed) known[integration.config.id] = configFingerprint(integration.config);
          const delta = await recovery[LOAD_CONFIG_ACTIVITY]({ workspaceId: state.workspaceId, known });
          const config = delta && configFromDelta(delta, state);
          if (!config || !isWorkspaceConfig(config)) {
            wf.log.warn(delta === null ? 'the workspace has no configuration (deleted?); keeping the one this run has' : 'ignored a malformed configuration');
            break;
          }
          apply({ type: 'configChanged', now: Date.now(), config });
          followConfig(config);
          configKnown = true;
          // Read again at once for a version announced meanwhile; after a while for one the database does not show yet.
          if (state.configVersion < wanted) {
            failures++;
            await backOff();
          } else failures = 0;
        } catch (err) {
          // The database is away: the run keeps the configuration it has and reads again.
          wf.log.warn('the configuration could not be read; trying again', { error: err instanceof Error ? err.message : String(err) });
          failures++;
          await backOff();
        }
      }
    } finally {
      // Given up (or done): manual actions waiting for it are checked against what the run has.
      configKnown = true;
      configLoading = false;
    }
  }

  // Then the handlers, before the first await, so no message of the first workflow task is missed.
  function incidentStarted(incident: unknown): void {
    if (isIncidentStart(incident)) {
      // The API's request id is for log correlation only; it is not part of the incident.
      const { requestId, ...started } = incident as IncidentStart & { requestId?: unknown };
      wf.log.info('incident started', { incidentId: started.incidentId, ...(typeof requestId === 'string' ? { requestId } : {}) });
      apply({ type: 'incidentStarted', now: Date.now(), incident: started });
    } else wf.log.warn('ignored malformed incidentStarted signal');
  }
  function incidentResolved(resolved: unknown): void {
    if (isIncidentResolved(resolved)) apply({ type: 'incidentResolved', now: Date.now(), incidentId: resolved.incidentId });
    else wf.log.warn('ignored malformed incidentResolved signal');
  }
  wf.setHandler(incidentStartedSignal, incidentStarted);
  wf.setHandler(incidentResolvedSignal, incidentResolved);
  wf.setHandler(incidentReportsSignal, (batch) => {
    if (!isIncidentReportBatch(batch)) return void wf.log.warn('ignored malformed incidentReports signal');
    for (const report of batch.reports as unknown[]) {
      const { kind, payload } = (typeof report === 'object' && report !== null ? report : {}) as { kind?: unknown; payload?: unknown };
      if (kind === 'started') incidentStarted(payload);
      else if (kind === 'resolved') incidentResolved(payload);
      else wf.log.warn('ignored malformed incident report');
    }
  });
  wf.setHandler(integrationsChangedSignal, (config) => {
    if (isWorkspaceConfig(config)) {
      apply({ type: 'configChanged', now: Date.now(), config });
      followConfig(config);
    } else wf.log.warn('ignored malformed integrationsChanged signal');
  });
  wf.setHandler(configPublishedSignal, (published) => {
    if (typeof published?.version !== 'number' || !Number.isFinite(published.version)) return void wf.log.warn('ignored malformed configPublished signal');
    if (published.version <= state.configVersion) return; // this run has it (its start input, or an earlier read)
    configWanted = Math.max(configWanted, published.version);
    void loadConfig();
  });
  wf.setHandler(stateQuery, () => workspaceView(state));
  wf.setHandler(activateUpdate, (request) => manualAction(request, 'activate'), {
    validator: (request) => validateManual(request, 'activate'),
  });
  wf.setHandler(withdrawUpdate, (request) => manualAction(request, 'withdraw'), {
    validator: (request) => validateManual(request, 'withdraw'),
  });

  /**
   * A run without a predecessor (the first, or one after a run was terminated or failed) learns
   * every incident still active from the incident record; when a run came before it, it also
   * reads every provider's state instead of assuming nothing is diverted.
   */
  let recovering = false;
  async function recoverIncidents(): Promise<void> {
    // What it finds is applied to the integrations, so a run that reads its configuration first
    // waits for it (else a diversion found would have no integration to be adopted by).
    if (!configKnown) await wf.condition(() => configKnown);
    let earlier = false;
    let after: string | undefined;
    try {
      for (let page = 0; page < MAX_RECOVERY_PAGES; page++) {
        const known = firstIncidents(state, 100).map((incident) => incident.incidentId);
        const found = await recovery[RECOVER_ACTIVITY]({ workspaceId: state.workspaceId, known, ...(after === undefined ? {} : { after }) });
        earlier ||= found.earlier;
        after = found.next;
        const last = after === undefined || page === MAX_RECOVERY_PAGES - 1;
        if (found.active.length > 0 || (last && earlier)) {
          apply({ type: 'incidentsRecovered', now: Date.now(), incidents: found.active, readProviders: last && earlier });
        }
        if (found.active.length > 0) wf.log.info('incidents recovered from the incident record', { count: found.active.length });
        if (last) break;
      }
    } catch (err) {
      wf.log.warn('the incident record could not be read; this run knows only the incidents reported to it', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  // A run started without a configuration reads it first (no decision needs one before: an
  // incident that arrives meanwhile is kept, and triggers the integrations once they are known).
  if (!configKnown) void loadConfig();
  if (!input.carried && wf.patched(RECOVERY_PATCH)) {
    recovering = true;
    void recoverIncidents().finally(() => (recovering = false));
  }

  const continueAsNewDue = (): boolean => {
    const info = wf.workflowInfo();
    const limit = input.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  };
  /** History length when continuing as new first became possible but background work was still running. */
  let dueAt: number | undefined;
  const readyToContinue = (): boolean => {
    if (!continueAsNewDue() || operationsInFlight > 0 || recovering || configLoading || !wf.allHandlersFinished()) return false;
    if (unfinished.size === 0 && readsInFlight === 0) return true;
    // With the provider policy: a channel that keeps failing (or a steady stream of events) must not
    // keep the history growing. After a quarter more events (at least 50) without a quiet moment,
    // continue anyway: status reads are dropped (the next run reads again) and unfinished audit
    // records, purges and notifications are carried over and sent again.
    if (!state.rules) return false;
    const length = wf.workflowInfo().historyLength;
    dueAt ??= length;
    return length >= dueAt + Math.max(50, Math.floor(dueAt / 4));
  };

  // Background work the previous run had not finished.
  for (const task of input.bookkeeping ?? []) inBackground(task);

  // Sleep until the earliest deadline (hold-down, provider window, reconciliation), the deadline
  // set changes, or it is time to continue as new.
  while (!readyToContinue()) {
    const deadline = nextDeadline(state);
    const wake = () => nextDeadline(state) !== deadline || readyToContinue();
    if (deadline === null) {
      await wf.condition(wake);
    } else if (!(await wf.condition(wake, Math.max(1, deadline - Date.now()), { summary: timerSummary(state, deadline) }))) {
      apply({ type: 'timerFired', now: Date.now() });
    }
  }
  // The next run reads only the notifications flag from its input's configuration (the rest comes
  // from `carried`), so the input carries no integration twice.
  const { bookkeeping: _finished, ...next } = input;
  const tasks = [...unfinished.values()];
  await wf.continueAsNew<typeof workspaceScrubbing>({
    ...next,
    config: { version: state.configVersion, holdDownSeconds: state.holdDownSeconds, integrations: [], notifications: notificationsOn },
    carried: packState(readsDropped(state)),
    ...(tasks.length > 0 ? { bookkeeping: tasks } : {}),
  });
}

/** The whole configuration a delta describes, from the integrations the run has; undefined when one it needs is missing. */
function configFromDelta(delta: ConfigDelta, state: WorkspaceState): WorkspaceConfig | undefined {
  if (!Array.isArray(delta.ids) || !Array.isArray(delta.changed)) return undefined;
  const changed = new Map(delta.changed.map((integration) => [integration.id, integration]));
  const integrations = [];
  for (const id of delta.ids) {
    const integration = changed.get(id) ?? state.integrations[id]?.config;
    if (!integration) return undefined;
    integrations.push(integration);
  }
  const { ids: _ids, changed: _changed, ...rest } = delta;
  return { ...rest, integrations };
}

/** What the timer in the Temporal UI waits for. */
function timerSummary(state: WorkspaceState, deadline: number): string {
  const integrations = Object.values(state.integrations);
  if (integrations.some((i) => i.holdDownUntil === deadline)) return 'hold-down';
  if (integrations.some((i) => i.waitingUntil === deadline)) return 'provider re-activation window';
  return 'reconciliation';
}

function toOperationError(err: unknown): OperationError {
  const cause = err instanceof wf.ActivityFailure ? (err.cause ?? err) : err;
  if (cause instanceof wf.ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message, nonRetryable: cause.nonRetryable ?? false };
  }
  if (cause instanceof wf.TimeoutFailure) {
    return { type: 'Timeout', message: `provider call timed out (${cause.timeoutType})`, nonRetryable: false };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: 'OperationFailed', message, nonRetryable: false };
}

function failedAttempts(err: unknown, retry: OperationRetryOptions): number {
  const cause = err instanceof wf.ActivityFailure ? err.cause : undefined;
  if (cause instanceof wf.ApplicationFailure) {
    const details = cause.details?.[0] as Partial<OperationFailureDetails> | undefined;
    if (typeof details?.attempt === 'number') return details.attempt;
  }
  return retry.maximumAttempts;
}
