/**
 * The calm gate (issue T): a diversion is withdrawn only when every triggering incident resolved,
 * the hold-down and the provider's windows passed, and — where the provider has telemetry
 * (Cloudflare, OVH) — the provider itself has reported calm for a calm period. Readings arrive as
 * events (`telemetryRead`), read by durable timers while diverted; the rules decide with the time
 * the event carries. Telemetry that fails falls back to the hold-down rule, said once.
 * Pure: no clock, no I/O, only types from the catalog.
 */
import type { CalmDefaults, TelemetryFacts, TelemetryReading, TelemetryResult } from '../catalog/contract';
import type { IntegrationState, WorkspaceState } from './state';

/** Provider telemetry is read this often while a gated integration is diverted (policy `telemetrySeconds`). */
export const DEFAULT_TELEMETRY_SECONDS = 60;

/** What the run keeps of an integration's telemetry (absent: never read). */
export interface TelemetryState {
  /** A reading is in flight. */
  reading?: boolean;
  /** The diversion the readings belong to (its `activatedAt`). */
  diversion?: number;
  /** The newest reading, and when it came back (ms since epoch). */
  last?: (TelemetryReading & { readAt: number }) | null;
  /** Since when every reading has been calm (the first calm reading of the streak); null: the last one was not. */
  calmSince?: number | null;
  /** The newest read failed: why, and since when. The gate then follows the hold-down rule. */
  unavailable?: { reason: string; since: number } | null;
  /** The fall-back to the hold-down was said (once per diversion). */
  unavailableReported?: boolean;
  /** A withdrawal waits for the provider: since when, why; `expired` once the maximum wait passed. */
  held?: { since: number; reason: string; expired?: boolean } | null;
}

/** The gate in effect for an integration: the provider type's defaults with the integration's overrides. */
export interface CalmSettings extends CalmDefaults {
  source: string;
  activity: string;
}

export type CalmCommand =
  | { kind: 'readTelemetry'; providerType: string; activity: string; integrationIds: string[] }
  /** The withdrawal is due but the provider is not calm yet (said once per hold). */
  | { kind: 'withdrawHeld'; integrationId: string; reason: string }
  /** The provider reported calm for the calm period: the withdrawal goes ahead. */
  | { kind: 'providerCalm'; integrationId: string; detail: string }
  /** The gate had no reading to go by and fell back to the hold-down rule (said once per diversion). */
  | { kind: 'telemetryUnavailable'; integrationId: string; reason: string }
  /** Held for the maximum wait: withdrawn anyway, or kept, as configured. */
  | { kind: 'calmWaitExpired'; integrationId: string; outcome: 'withdraw' | 'keep'; detail: string };

/** Where the rules collect their commands (decide.ts's list, which holds these and more). */
export interface CommandSink {
  push(command: CalmCommand): unknown;
}

/** The gate for the integration, or null when it has none (no telemetry for its type, switched off, dry run, removed). */
export function calmSettings(state: Pick<WorkspaceState, 'providers'>, integration: IntegrationState): CalmSettings | null {
  const { config } = integration;
  const telemetry = state.providers?.[config.type]?.telemetry;
  if (!telemetry || config.calmGate === false || config.dryRun === true || integration.removed) return null;
  return withCalmOverrides(telemetry, config);
}

/** The calm gate's overrides on an integration; null or absent: the provider type's default. */
export interface CalmOverrides {
  calmDroppedBps?: number | null;
  calmDroppedPps?: number | null;
  calmSeconds?: number | null;
  calmMaxWaitSeconds?: number | null;
  calmOnMaxWait?: 'withdraw' | 'keep' | null;
}

/** A provider type's gate with an integration's overrides (also what the API shows as in effect). */
export function withCalmOverrides(telemetry: TelemetryFacts, overrides: CalmOverrides): CalmSettings {
  const given = [overrides.calmDroppedBps, overrides.calmDroppedPps, overrides.calmSeconds, overrides.calmMaxWaitSeconds, overrides.calmOnMaxWait];
  return {
    source: telemetry.source,
    activity: telemetry.activity,
    droppedBps: overrides.calmDroppedBps ?? telemetry.calm.droppedBps,
    droppedPps: overrides.calmDroppedPps ?? telemetry.calm.droppedPps,
    calmSeconds: overrides.calmSeconds ?? telemetry.calm.calmSeconds,
    maxWaitSeconds: overrides.calmMaxWaitSeconds ?? telemetry.calm.maxWaitSeconds,
    onMaxWait: overrides.calmOnMaxWait ?? telemetry.calm.onMaxWait,
    why: given.some((v) => v !== undefined && v !== null) ? 'set on the integration' : telemetry.calm.why,
  };
}

/** Calm: no ongoing provider event and drops at or below both thresholds. */
export function isCalm(reading: TelemetryReading, settings: Pick<CalmDefaults, 'droppedBps' | 'droppedPps'>): boolean {
  return (reading.ongoingEvents ?? 0) === 0 && reading.droppedBps <= settings.droppedBps && reading.droppedPps <= settings.droppedPps;
}

/** "40 kpps / 120 Mbps", for people. */
export function describeDrops(reading: Pick<TelemetryReading, 'droppedBps' | 'droppedPps'>): string {
  return `${scaled(reading.droppedPps, 'pps')} / ${scaled(reading.droppedBps, 'bps')}`;
}

function scaled(value: number, unit: string): string {
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [factor, prefix] of steps) if (value >= factor) return `${round(value / factor)} ${prefix}${unit}`;
  return `${round(value)} ${unit}`;
}

const round = (value: number): string => String(Math.round(value * 10) / 10);

/** The integration's telemetry state, created for its current diversion. */
function telemetryOf(integration: IntegrationState): TelemetryState {
  return (integration.telemetry ??= { diversion: integration.activatedAt ?? 0 });
}

/** A telemetry activity's answer (or its failure, as `unavailable` for each integration it asked for). */
export function recordReadings(state: WorkspaceState, results: TelemetryResult[], now: number): void {
  for (const result of results) {
    const integration = state.integrations[result.integrationId];
    if (!integration) continue;
    const telemetry = telemetryOf(integration);
    telemetry.reading = false;
    if ('reading' in result) {
      telemetry.last = { ...result.reading, readAt: now };
      telemetry.unavailable = null;
      const settings = calmSettings(state, integration);
      if (settings && isCalm(result.reading, settings)) telemetry.calmSince ??= now;
      else telemetry.calmSince = null;
    } else {
      telemetry.unavailable = { reason: result.unavailable, since: telemetry.unavailable?.since ?? now };
      telemetry.calmSince = null;
    }
  }
}

/**
 * Called where the hold-down rule would withdraw: whether the provider holds the withdrawal back.
 * Only a confirmed diversion is gated; a gate without a reading to go by (telemetry unavailable)
 * lets the hold-down rule decide.
 */
export function holdsWithdrawal(state: WorkspaceState, integration: IntegrationState, now: number, commands: CommandSink): boolean {
  const settings = calmSettings(state, integration);
  if (!settings || integration.actual !== 'active') return release(integration);
  const telemetry = telemetryOf(integration);
  const integrationId = integration.config.id;
  if (telemetry.unavailable) {
    if (!telemetry.unavailableReported) {
      telemetry.unavailableReported = true;
      commands.push({ kind: 'telemetryUnavailable', integrationId, reason: `${settings.source} unavailable (${telemetry.unavailable.reason}): withdrawn on the hold-down rule alone` });
    }
    return release(integration);
  }
  const last = telemetry.last ?? null;
  const calmFor = telemetry.calmSince === null || telemetry.calmSince === undefined ? null : now - telemetry.calmSince;
  if (last && calmFor !== null && calmFor >= settings.calmSeconds * 1000) {
    commands.push({
      kind: 'providerCalm',
      integrationId,
      detail: `${settings.source} calm for ${Math.round(calmFor / 1000)} s (dropping ${describeDrops(last)}; calm is at most ${describeDrops(settings)}${last.ongoingEvents === undefined ? '' : ' and no ongoing attack event'} for ${settings.calmSeconds} s)`,
    });
    return release(integration);
  }
  const reason = holdReason(settings, last, calmFor);
  if (!telemetry.held) {
    telemetry.held = { since: now, reason };
    commands.push({ kind: 'withdrawHeld', integrationId, reason });
    // The decision needs a reading: take one now rather than at the next tick.
    if (!last) state.nextTelemetryAt = now;
  } else telemetry.held.reason = reason;
  const held = telemetry.held;
  if (now - held.since < settings.maxWaitSeconds * 1000) return true;
  if (!held.expired) {
    held.expired = true;
    const waited = `held ${Math.round((now - held.since) / 1000)} s for the provider, the maximum is ${settings.maxWaitSeconds} s (${reason})`;
    commands.push({
      kind: 'calmWaitExpired',
      integrationId,
      outcome: settings.onMaxWait,
      detail: settings.onMaxWait === 'withdraw' ? `${waited}: withdrawn anyway, as configured` : `${waited}: kept diverted until the provider is calm, as configured`,
    });
  }
  return settings.onMaxWait === 'keep' ? true : release(integration);
}

function holdReason(settings: CalmSettings, last: TelemetryState['last'], calmFor: number | null): string {
  if (!last) return `waiting for the first reading of ${settings.source}`;
  if ((last.ongoingEvents ?? 0) > 0) return `${settings.source} reports ${last.ongoingEvents} ongoing attack event${last.ongoingEvents === 1 ? '' : 's'} (dropping ${describeDrops(last)})`;
  if (calmFor === null) return `provider still drops ${describeDrops(last)} (calm is at most ${describeDrops(settings)})`;
  return `provider calm for ${Math.round(calmFor / 1000)} s of the ${settings.calmSeconds} s it must stay calm`;
}

/** The integration is triggered again, or not gated: no withdrawal is held. */
export function release(integration: IntegrationState): false {
  if (integration.telemetry?.held) integration.telemetry.held = null;
  return false;
}

/**
 * Telemetry reads: while any gated integration is diverted, every `telemetrySeconds` one read per
 * provider type for all of its integrations (the activity groups them by account, so Cloudflare
 * sees one query per account per interval). The first read comes an interval after the diversion.
 */
export function scheduleTelemetry(state: WorkspaceState, now: number, commands: CommandSink): void {
  const due = new Map<string, { activity: string; ids: string[] }>();
  let diverted = 0;
  for (const integration of Object.values(state.integrations)) {
    const settings = calmSettings(state, integration);
    const telemetry = integration.telemetry;
    if (!settings || integration.actual !== 'active') {
      // Not diverted (or not gated): nothing is held; the last reading and its state stay on view.
      if (telemetry) {
        telemetry.calmSince = null;
        telemetry.held = null;
      }
      continue;
    }
    diverted++;
    const diversion = integration.activatedAt ?? 0;
    if (telemetry && telemetry.diversion !== diversion) {
      // A new diversion starts afresh: readings of the one before say nothing about this attack.
      Object.assign(telemetry, { diversion, last: null, calmSince: null, unavailable: null, held: null, unavailableReported: false });
    }
    if (telemetry?.reading) continue;
    const group = due.get(integration.config.type) ?? { activity: settings.activity, ids: [] };
    group.ids.push(integration.config.id);
    due.set(integration.config.type, group);
  }
  if (diverted === 0) {
    state.nextTelemetryAt = null;
    return;
  }
  const interval = Math.max(1, state.policy?.telemetrySeconds ?? DEFAULT_TELEMETRY_SECONDS) * 1000;
  const next = state.nextTelemetryAt ?? null;
  if (next === null) {
    state.nextTelemetryAt = now + interval;
    return;
  }
  if (now < next) return;
  for (const [providerType, group] of due) {
    for (const id of group.ids) telemetryOf(state.integrations[id]!).reading = true;
    commands.push({ kind: 'readTelemetry', providerType, activity: group.activity, integrationIds: group.ids });
  }
  state.nextTelemetryAt = now + interval;
}

/** When the gate must look again without a message: the calm period completes, or the maximum wait ends. */
export function calmDeadlines(state: Pick<WorkspaceState, 'providers'>, integration: IntegrationState): { at: number; waitsFor: string }[] {
  const held = integration.telemetry?.held;
  const settings = held ? calmSettings(state, integration) : null;
  if (!held || !settings) return [];
  const deadlines = held.expired ? [] : [{ at: held.since + settings.maxWaitSeconds * 1000, waitsFor: 'calm gate: maximum wait for the provider' }];
  const calmSince = integration.telemetry?.calmSince;
  if (calmSince !== null && calmSince !== undefined) deadlines.push({ at: calmSince + settings.calmSeconds * 1000, waitsFor: 'calm gate: the provider stays calm' });
  return deadlines;
}

/** Readings in flight are dropped when the run continues as new: the next run reads again. */
export function readingsDropped(integration: IntegrationState): IntegrationState {
  return integration.telemetry?.reading ? { ...integration, telemetry: { ...integration.telemetry, reading: false } } : integration;
}

/** What the state view shows of the gate (README, How it decides: the calm gate). */
export interface TelemetryView {
  /** `none`: the provider has no telemetry; `off`: the gate is switched off (or dry run); `waiting`: no reading yet. */
  status: 'none' | 'off' | 'waiting' | 'ok' | 'unavailable';
  source?: string;
  reason?: string;
  lastReading?: (TelemetryReading & { readAt: string }) | null;
  calm?: boolean;
  calmSince?: string | null;
  gate?: Omit<CalmSettings, 'activity' | 'source'>;
  /** A withdrawal waits for the provider: since when, why, and when the maximum wait ends. */
  withdrawHeld?: { since: string; reason: string; maxWaitUntil: string; expired: boolean } | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function telemetryView(state: Pick<WorkspaceState, 'providers'>, integration: IntegrationState): TelemetryView {
  const telemetry = state.providers?.[integration.config.type]?.telemetry;
  if (!telemetry) return { status: 'none', reason: 'no provider telemetry: the withdrawal follows the hold-down' };
  const settings = calmSettings(state, integration);
  if (!settings) return { status: 'off', source: telemetry.source, reason: integration.config.dryRun ? 'dry run: no telemetry is read' : 'the calm gate is switched off for this integration' };
  const { activity: _activity, source, ...gate } = settings;
  const t = integration.telemetry ?? {};
  const last = t.last ?? null;
  const held = t.held ?? null;
  return {
    status: t.unavailable ? 'unavailable' : last ? 'ok' : 'waiting',
    source,
    ...(t.unavailable ? { reason: t.unavailable.reason } : {}),
    lastReading: last ? { ...last, readAt: iso(last.readAt) } : null,
    ...(last ? { calm: isCalm(last, settings) } : {}),
    calmSince: t.calmSince === null || t.calmSince === undefined ? null : iso(t.calmSince),
    gate,
    withdrawHeld: held ? { since: iso(held.since), reason: held.reason, maxWaitUntil: iso(held.since + settings.maxWaitSeconds * 1000), expired: held.expired === true } : null,
  };
}

/**
 * The diversion in the IETF DOTS status vocabulary (RFC 9132; detectors.md): what operators who
 * know DOTS expect to read. Null: never diverted.
 */
export const DOTS_STATUS = {
  1: 'attack-mitigation-in-progress',
  2: 'successfully-mitigated',
  3: 'attack-stopped',
  5: 'active-but-terminating',
  6: 'terminated',
  7: 'withdrawn-by-server',
} as const;
export type DotsCode = keyof typeof DOTS_STATUS;

export function dotsStatus(state: Pick<WorkspaceState, 'providers'>, integration: IntegrationState, triggered: boolean): { code: DotsCode; status: (typeof DOTS_STATUS)[DotsCode] } | null {
  const code = dotsCode(state, integration, triggered);
  return code === null ? null : { code, status: DOTS_STATUS[code] };
}

function dotsCode(state: Pick<WorkspaceState, 'providers'>, integration: IntegrationState, triggered: boolean): DotsCode | null {
  const { actual, desired } = integration;
  const settings = calmSettings(state, integration);
  const last = integration.telemetry?.last ?? null;
  switch (actual) {
    case 'activating':
      return 1;
    case 'withdrawing':
      return 5; // the provider is letting go (BGP withdrawal, firewall change)
    case 'failed':
      return desired === 'active' ? 1 : 5;
    case 'inactive':
      if (!integration.withdrawnAt && !integration.activatedAt) return null;
      // Withdrawn by an operator, or found withdrawn at the provider (drift), rather than by the rules.
      if (integration.manual === 'withdraw' || (integration.drift?.open === true && integration.drift.observed === 'not_diverted')) return 7;
      return 6;
    case 'active': {
      if (settings && last && !isCalm(last, settings)) return 2; // the provider is dropping attack traffic
      if (triggered || integration.manual === 'activate') return 1;
      if (integration.holdDownUntil !== null || integration.telemetry?.held) return 5;
      return 3; // every incident resolved and nothing holds it: the withdrawal is due
    }
  }
}
