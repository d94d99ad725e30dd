/**
 * Provider-aware policy: the defaults and the arithmetic behind reconciliation,
 * provider timing windows and flap damping. Pure (no clock, no I/O): the decision
 * module calls it with the time of the event it handles.
 */
import type { ProviderDefinition, ProviderTiming as CatalogTiming } from '../catalog/contract';

/** How long a diversion must stay on once the provider confirmed it, and how soon a withdrawn one may come back. */
export type ProviderTiming = Omit<CatalogTiming, 'why'>;

/**
 * What a run knows of a provider type: its operations' activity types and its windows. They come
 * from the provider catalog (catalog/) with the configuration, so the workflow holds no
 * provider-specific code (`WorkspaceConfig.providers`).
 */
export type ProviderFacts = Pick<ProviderDefinition, 'operations' | 'timing' | 'telemetry'>;

/**
 * What runs whose configuration came before the catalog (2026-12) use, for the three provider
 * types there were: these histories replay with them, so they never change.
 */
export const LEGACY_PROVIDER_FACTS: Readonly<Record<string, ProviderFacts>> = {
  cloudflare: {
    operations: { activate: 'cloudflare.advertise', withdraw: 'cloudflare.withdraw' },
    timing: { minActiveSeconds: 900, reactivateAfterSeconds: 900, why: 'Cloudflare accepts one advertisement change per prefix every 15 minutes' },
  },
  hetzner: {
    operations: { activate: 'hetzner.activateFirewall', withdraw: 'hetzner.disableFirewall' },
    timing: { minActiveSeconds: 60, reactivateAfterSeconds: 60, why: 'a Hetzner firewall change stays "in process" for tens of seconds' },
  },
  ovh: {
    operations: { activate: 'ovh.enableFirewall', withdraw: 'ovh.disableFirewall' },
    timing: { minActiveSeconds: 0, reactivateAfterSeconds: 0, why: 'OVH documents no window for the Edge Network Firewall' },
  },
};
const NO_TIMING: CatalogTiming = { minActiveSeconds: 0, reactivateAfterSeconds: 0, why: 'no provider window' };

/** The windows in effect: the integration's overrides, else the provider type's (`timing`). */
export function withOverrides(timing: CatalogTiming | undefined, overrides: { minActiveSeconds?: number | null; reactivateAfterSeconds?: number | null } = {}): CatalogTiming {
  const defaults = timing ?? NO_TIMING;
  const minActive = overrides.minActiveSeconds ?? undefined;
  const reactivate = overrides.reactivateAfterSeconds ?? undefined;
  return {
    minActiveSeconds: minActive ?? defaults.minActiveSeconds,
    reactivateAfterSeconds: reactivate ?? defaults.reactivateAfterSeconds,
    why: minActive !== undefined || reactivate !== undefined ? 'set on the integration' : defaults.why,
  };
}

/** Workspace-wide knobs; each has a default so older configurations keep working. */
export interface WorkspacePolicy {
  /** Provider status read while any integration is (or should be) diverted. */
  reconcileActiveSeconds: number;
  /** ... and otherwise. */
  reconcileIdleSeconds: number;
  /** Attack waves counted for flap damping are those that started within this window. */
  flapWindowSeconds: number;
  /** Flap damping never makes the hold-down longer than this; at or below the base hold-down it is off. */
  maxHoldDownSeconds: number;
  /** Provider telemetry read while a gated integration is diverted (the calm gate); absent in runs before it: 60. */
  telemetrySeconds?: number;
}

/**
 * One minute while diverted: an advertisement withdrawn behind our back costs at most a minute
 * of unfiltered attack. Thirty minutes when calm: a diversion left on by hand costs money, not
 * safety, and 10,000 idle workspaces then cost about 6 status reads per second.
 * An hour of waves, capped at an hour of hold-down: a 5-wave attack with gaps of up to about
 * 40 minutes (base 5 min: 5, 10, 20, 40, 60) stays one diversion.
 */
const DEFAULT_WORKSPACE_POLICY: WorkspacePolicy = {
  reconcileActiveSeconds: 60,
  reconcileIdleSeconds: 1800,
  flapWindowSeconds: 3600,
  maxHoldDownSeconds: 3600,
};

/** The defaults with the given values; reads are at least a second apart whatever a client sent. */
export function workspacePolicy(overrides: Partial<WorkspacePolicy> = {}): WorkspacePolicy {
  const policy = { ...DEFAULT_WORKSPACE_POLICY, ...definedOnly(overrides) };
  return {
    ...policy,
    reconcileActiveSeconds: Math.max(1, policy.reconcileActiveSeconds),
    reconcileIdleSeconds: Math.max(1, policy.reconcileIdleSeconds),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Wave start times still inside the window at `now`. */
export function recentWaves(waves: number[], now: number, policy: WorkspacePolicy): number[] {
  return waves.filter((at) => now - at < policy.flapWindowSeconds * 1000);
}

export interface EffectiveHoldDown {
  baseSeconds: number;
  seconds: number;
  /** Attack waves within the window, the current one included. */
  waves: number;
  reason: string;
}

/**
 * Flap damping: the hold-down doubles with each attack wave within the window (the first
 * wave gets the base), up to the cap; waves leave the window as it slides, so it decays
 * when calm.
 */
export function effectiveHoldDown(baseSeconds: number, waves: number[], now: number, policy: WorkspacePolicy): EffectiveHoldDown {
  const count = Math.max(1, recentWaves(waves, now, policy).length);
  const cap = Math.max(baseSeconds, policy.maxHoldDownSeconds);
  const seconds = Math.min(baseSeconds * 2 ** Math.min(count - 1, 30), cap);
  const window = `${Math.round(policy.flapWindowSeconds / 60)} min`;
  const reason =
    count <= 1 || seconds === baseSeconds
      ? `base hold-down (${count} attack wave${count === 1 ? '' : 's'} in the last ${window})`
      : `${count} attack waves in the last ${window}: ${baseSeconds} s doubled ${count - 1} time${count === 2 ? '' : 's'}${seconds === cap ? `, capped at ${cap} s` : ''}`;
  return { baseSeconds, seconds, waves: count, reason };
}
