/**
 * What a detector vendor's module declares: how a delivery proves it comes from the detector,
 * when the payload says it was sent (for replay checks), and how its payload maps to incident
 * events. Pure apart from the HMAC and constant-time comparison; never logs or echoes a payload.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isValidAddress } from '../../workflows/cidr';

import type { DetectorType } from '../../catalog/detectors';

export { DETECTOR_TYPES, type DetectorType } from '../../catalog/detectors';

/** One incident event from a detector: a start and its end share `externalId`. */
export interface DetectorEvent {
  phase: 'start' | 'update' | 'end';
  /** The vendor's attack id (FastNetMon attack_uuid, Flowtriq incident uuid, Kentik AlarmID, Cloudflare alert_correlation_id). */
  externalId: string;
  target?: string;
  severity?: string;
  /** Peak traffic the detector reported, bits and packets per second. */
  peakBps?: number;
  peakPps?: number;
  startedAt?: string;
}

/** What a payload says: incident events, or nothing to act on (a test message, an event type we do not use). */
export type Reading = { kind: 'event'; event: DetectorEvent } | { kind: 'ignored'; reason: string };

export interface DeliveryProof {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** The token segment of the URL, when the URL has one. */
  urlToken?: string;
}

/** Per-source settings a vendor understands (validated by the API's schema). */
export interface DetectorOptions {
  /** FastNetMon: which attack directions are incidents (default incoming only: scrubbing filters what reaches us). */
  directions?: ('incoming' | 'outgoing')[];
  /** FastNetMon: only alerts of these hostgroups (default any). */
  hostgroups?: string[];
  /** FastNetMon: which alert scopes count, per host or per hostgroup (default both). */
  alertScopes?: ('host' | 'hostgroup')[];
}

export interface DetectorVendor {
  type: DetectorType;
  label: string;
  /**
   * `url-token`: the secret is part of the URL the detector calls (it signs nothing);
   * `hmac-sha256`: it signs the raw body with the secret; `header-secret`: it sends the secret in a header.
   */
  proof: 'url-token' | 'hmac-sha256' | 'header-secret';
  /** Where the proof goes, for the README and the create answer. */
  howToConfigure: string;
  verify(delivery: DeliveryProof, secret: string): boolean;
  /** When the payload says it was sent (ms since epoch), for the replay check; undefined when it does not say. */
  sentAt?(payload: unknown): number | undefined;
  read(payload: unknown, options: DetectorOptions): Reading;
}

/** Constant-time equality of two strings (false for different lengths, without a shortcut on content). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '', 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // same work either way
    return false;
  }
  return timingSafeEqual(a, b);
}

export const hmacSha256Hex = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex');

export function header(delivery: DeliveryProof, name: string): string | undefined {
  const value = delivery.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export const text = (value: unknown, max = 200): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
export const rate = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined);
/** An IP address the workflow can match against scopes, else nothing (the incident then triggers every integration). */
export const address = (value: unknown): string | undefined => (typeof value === 'string' && isValidAddress(value) ? value : undefined);
export const isoTime = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** Drops the optional fields a payload did not have. */
export function event(fields: DetectorEvent): Reading {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as DetectorEvent;
  return { kind: 'event', event: defined };
}
