/**
 * Cloudflare notifications (webhook destination): DDoS alerts with `alert_event`
 * `ALERT_STATE_EVENT_START` / `_END`, keyed by `alert_correlation_id` (else `data.attack_id`),
 * target `data.target_ip`, `megabits_per_second` and `packets_per_second`; other alerts and the
 * "Save and Test" message are acknowledged. The secret comes verbatim in `cf-webhook-auth`; `ts`
 * (Unix seconds) feeds the replay check. Cloudflare does not promise an END: README, Connecting a detector.
 * Docs: cloudflare-docs notifications/reference/webhook-payload-schema.
 */
import { address, event, header, isRecord, isoTime, rate, sameSecret, text, type DetectorVendor } from './vendor';

const PHASES = { ALERT_STATE_EVENT_START: 'start', ALERT_STATE_EVENT_END: 'end' } as const;

export const cloudflare: DetectorVendor = {
  type: 'cloudflare',
  label: 'Cloudflare DDoS alerts',
  proof: 'header-secret',
  howToConfigure: 'Notifications > Destinations > Webhooks: the URL, and the secret as the webhook secret (cf-webhook-auth)',
  verify: (delivery, secret) => sameSecret(header(delivery, 'cf-webhook-auth'), secret),
  sentAt: (payload) => (isRecord(payload) && typeof payload.ts === 'number' && Number.isFinite(payload.ts) ? payload.ts * 1000 : undefined),
  read(payload) {
    if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a Cloudflare notification' };
    if (payload.alert_type === undefined && typeof payload.text === 'string') return { kind: 'ignored', reason: 'test message' };
    const alert = text(payload.alert_type);
    if (!alert?.includes('ddos')) return { kind: 'ignored', reason: `alert_type ${alert ?? '(none)'} is not a DDoS alert` };
    const name = text(payload.alert_event);
    const phase = name ? PHASES[name as keyof typeof PHASES] : undefined;
    if (!phase) return { kind: 'ignored', reason: `alert_event ${name ?? '(none)'} is not a start or an end` };
    const data = isRecord(payload.data) ? payload.data : {};
    const externalId = text(payload.alert_correlation_id) ?? text(data.attack_id);
    if (!externalId) return { kind: 'ignored', reason: 'no alert_correlation_id or data.attack_id' };
    const megabits = rate(data.megabits_per_second);
    return event({
      phase,
      externalId,
      target: address(data.target_ip),
      peakBps: megabits === undefined ? undefined : megabits * 1_000_000,
      peakPps: rate(data.packets_per_second),
      startedAt: isoTime(data.start_time),
    });
  },
};
