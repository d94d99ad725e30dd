/**
 * Flowtriq webhooks: `attack_start`, `attack_update`, `attack_end` keyed by `incident.uuid`
 * (else `incident.id`), the attacked node's `ip_address` as target, `peak_bps` in bits per
 * second; `test` is acknowledged. Signed: `X-Flowtriq-Signature: sha256=<hex HMAC-SHA256 of the
 * raw body>`; `timestamp` (in the signed body) feeds the replay check. Docs: flowtriq.com/docs?section=webhooks.
 */
import { address, event, header, hmacSha256Hex, isRecord, isoTime, rate, sameSecret, text, type DetectorVendor } from './vendor';

const PHASES = { attack_start: 'start', attack_update: 'update', attack_end: 'end' } as const;

export const flowtriq: DetectorVendor = {
  type: 'flowtriq',
  label: 'Flowtriq',
  proof: 'hmac-sha256',
  howToConfigure: 'Alerts > Webhook: the URL, and the secret as the signing secret (X-Flowtriq-Signature)',
  verify(delivery, secret) {
    const signature = header(delivery, 'x-flowtriq-signature');
    return sameSecret(signature, `sha256=${hmacSha256Hex(secret, delivery.rawBody)}`);
  },
  sentAt(payload) {
    const at = isRecord(payload) ? isoTime(payload.timestamp) : undefined;
    return at === undefined ? undefined : Date.parse(at);
  },
  read(payload) {
    if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a Flowtriq webhook' };
    const type = text(payload.event_type);
    if (type === 'test') return { kind: 'ignored', reason: 'test event' };
    const phase = type ? PHASES[type as keyof typeof PHASES] : undefined;
    if (!phase) return { kind: 'ignored', reason: `event_type ${type ?? '(none)'} is not attack_start, attack_update or attack_end` };
    const incident = isRecord(payload.incident) ? payload.incident : {};
    const node = isRecord(payload.node) ? payload.node : {};
    const externalId = text(incident.uuid) ?? text(incident.id);
    if (!externalId) return { kind: 'ignored', reason: 'no incident.uuid or incident.id' };
    return event({
      phase,
      externalId,
      target: address(node.ip_address),
      severity: text(incident.severity, 50),
      peakBps: rate(incident.peak_bps),
      peakPps: rate(incident.peak_pps),
      startedAt: isoTime(incident.started_at),
    });
  },
};
