/**
 * Our own format, for scripts (the FastNetMon Community notify script, Wanguard's response
 * script): `{"event": "start" | "update" | "end", "id": "...", "target"?, "severity"?, "peakBps"?,
 * "peakPps"?, "startedAt"?}`. The secret is in the URL.
 */
import { address, event, isRecord, isoTime, rate, sameSecret, text, type DetectorVendor } from './vendor';

const PHASES = ['start', 'update', 'end'] as const;

export const generic: DetectorVendor = {
  type: 'generic',
  label: 'Generic (scripts)',
  proof: 'url-token',
  howToConfigure: 'POST {"event":"start"|"update"|"end","id":"<attack id>","target":"<ip>"} to the URL',
  verify: (delivery, secret) => sameSecret(delivery.urlToken, secret),
  read(payload) {
    if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a JSON object' };
    const phase = PHASES.find((p) => p === payload.event);
    if (!phase) return { kind: 'ignored', reason: `event ${text(payload.event, 50) ?? '(none)'} is not start, update or end` };
    const externalId = text(payload.id);
    if (!externalId) return { kind: 'ignored', reason: 'no id' };
    return event({
      phase,
      externalId,
      target: address(payload.target),
      severity: text(payload.severity, 50),
      peakBps: rate(payload.peakBps),
      peakPps: rate(payload.peakPps),
      startedAt: isoTime(payload.startedAt),
    });
  },
};
