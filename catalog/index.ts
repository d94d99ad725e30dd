/**
 * The provider catalog: every provider type this deployment knows, one module each. Adding a
 * provider is its definition here, its adapter (activities/providers) and its simulator; every
 * list of types, every schema and every activity registration is derived from this one.
 */
import { cloudflare } from './cloudflare';
import { gcore } from './gcore';
import { hetzner } from './hetzner';
import { ovh } from './ovh';
import { LEGACY_PROVIDER_FACTS, withOverrides, type ProviderFacts } from '../workflows/policy';
import { withCalmOverrides, type CalmOverrides, type CalmSettings } from '../workflows/calm-gate';
import type { ProviderDefinition, ProviderTiming } from './contract';

export const PROVIDERS = [cloudflare, ovh, hetzner, gcore] as const;

export type ProviderType = (typeof PROVIDERS)[number]['type'];
export const PROVIDER_TYPES = PROVIDERS.map((p) => p.type) as [ProviderType, ...ProviderType[]];

function providerDefinition(type: string): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.type === type);
}

/** The windows in effect for an integration: its own overrides, else the provider type's. */
export function providerTiming(type: string, overrides: { minActiveSeconds?: number | null; reactivateAfterSeconds?: number | null } = {}): ProviderTiming {
  return withOverrides(providerDefinition(type)?.timing, overrides);
}

/** What a workflow run is told of a provider type with its configuration. */
export function providerFacts(type: string): ProviderFacts | undefined {
  const definition = providerDefinition(type);
  if (!definition) return undefined;
  const telemetry = 'telemetry' in definition ? definition.telemetry : undefined;
  return { operations: { ...definition.operations }, timing: { ...definition.timing }, ...(telemetry ? { telemetry: { ...telemetry, calm: { ...telemetry.calm } } } : {}) };
}

/** The calm gate in effect for an integration (the type's defaults, its own overrides), or null: none (no telemetry, or off). */
export function calmGateInEffect(type: string, config: CalmOverrides & { calmGate: boolean }): Omit<CalmSettings, 'activity'> | null {
  const definition = providerDefinition(type);
  const telemetry = definition && 'telemetry' in definition ? definition.telemetry : undefined;
  if (!telemetry || !config.calmGate) return null;
  const { activity: _activity, ...inEffect } = withCalmOverrides(telemetry, config);
  return inEffect;
}

/** Every telemetry activity's type, for the worker to register (`<provider>.readTelemetry`). */
export function telemetryActivityNames(): string[] {
  return PROVIDERS.flatMap((p) => ('telemetry' in p ? [p.telemetry.activity] : []));
}

/** Every operation's activity type, for the worker to register (with those of runs from before the catalog). */
export function operationActivityNames(): string[] {
  const legacy = Object.values(LEGACY_PROVIDER_FACTS).map((facts) => facts.operations);
  return [...new Set([...PROVIDERS.map((p) => p.operations), ...legacy].flatMap((o) => [o.activate, o.withdraw]))];
}
