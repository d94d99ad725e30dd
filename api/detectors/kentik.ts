/**
 * Kentik alarm notifications (JSON POST webhook): `CurrentState` `alarm` starts, `ackReq`
 * updates, `clear` ends an alarm keyed by `AlarmID`; the target is `Dimensions.IP_dst`; Metrics
 * `bits` and `packets` are per second. Kentik signs nothing: the secret is in the URL (and
 * Kentik's source addresses can be allow-listed in front). Example: kentik/custom-notification-templates.
 */
import { address, event, isRecord, isoTime, rate, sameSecret, text, type DetectorVendor } from './vendor';

const PHASES = { alarm: 'start', ackReq: 'update', clear: 'end' } as const;

export const kentik: DetectorVendor = {
  type: 'kentik',
  label: 'Kentik',
  proof: 'url-token',
  howToConfigure: 'Settings > Notifications: a JSON POST webhook channel with the URL, added to the DDoS alert policies',
  verify: (delivery, secret) => sameSecret(delivery.urlToken, secret),
  read(payload) {
    if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a Kentik notification' };
    const state = text(payload.CurrentState);
    const phase = state ? PHASES[state as keyof typeof PHASES] : undefined;
    if (!phase) return { kind: 'ignored', reason: `CurrentState ${state ?? '(none)'} is not alarm, ackReq or clear` };
    const externalId = text(payload.AlarmID);
    if (!externalId) return { kind: 'ignored', reason: 'no AlarmID' };
    const dimensions = isRecord(payload.Dimensions) ? payload.Dimensions : {};
    const metrics = isRecord(payload.Metrics) ? payload.Metrics : {};
    return event({
      phase,
      externalId,
      target: address(dimensions.IP_dst),
      severity: text(payload.AlarmSeverity, 50),
      peakBps: rate(metrics.bits),
      peakPps: rate(metrics.packets),
      startedAt: isoTime(payload.StartTime),
    });
  },
};
