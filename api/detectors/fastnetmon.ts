/**
 * FastNetMon Advanced web callbacks (`web_callback_url`; the JSON notify script gets the same):
 * `ban` starts, `unban` ends, `attack_status` updates an attack, keyed by
 * `attack_details.attack_uuid`. FastNetMon signs nothing: the secret is in the URL.
 * Traffic counters are bytes per second. Docs: fastnetmon.com/docs-fnm-advanced/fastnetmon-json-formats/.
 */
import { address, event, isRecord, rate, sameSecret, text, type DetectorVendor } from './vendor';

const PHASES = { ban: 'start', attack_status: 'update', unban: 'end' } as const;

export const fastnetmon: DetectorVendor = {
  type: 'fastnetmon',
  label: 'FastNetMon Advanced',
  proof: 'url-token',
  howToConfigure: 'fcli set main web_callback_enabled enable; fcli set main web_callback_url <url>; fcli commit',
  verify: (delivery, secret) => sameSecret(delivery.urlToken, secret),
  read(payload, options) {
    if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a FastNetMon callback' };
    const action = text(payload.action);
    const phase = action ? PHASES[action as keyof typeof PHASES] : undefined;
    if (!phase) return { kind: 'ignored', reason: `action ${action ?? '(none)'} is not ban, attack_status or unban` };
    const details = isRecord(payload.attack_details) ? payload.attack_details : {};
    const direction = text(details.attack_direction);
    const directions = options.directions ?? ['incoming'];
    if (direction && (direction === 'incoming' || direction === 'outgoing') && !directions.includes(direction)) {
      return { kind: 'ignored', reason: `${direction} attack (the source counts ${directions.join(' and ')} attacks)` };
    }
    const scope = text(payload.alert_scope);
    if (options.alertScopes && !(scope && options.alertScopes.includes(scope as 'host' | 'hostgroup'))) {
      return { kind: 'ignored', reason: `alert scope ${scope ?? '(none)'} is not one the source counts` };
    }
    const hostgroup = text(payload.hostgroup_name);
    if (options.hostgroups && !(hostgroup && options.hostgroups.includes(hostgroup))) {
      return { kind: 'ignored', reason: `hostgroup ${hostgroup ?? '(none)'} is not one the source counts` };
    }
    const ip = address(payload.ip);
    // Without a uuid (older versions), the attacked address keys the attack.
    const externalId = text(details.attack_uuid) ?? ip ?? hostgroup;
    if (!externalId) return { kind: 'ignored', reason: 'no attack_uuid, ip or hostgroup_name to key the attack' };
    const bytesPerSecond = rate(direction === 'outgoing' ? details.total_outgoing_traffic : details.total_incoming_traffic);
    return event({
      phase,
      externalId,
      target: ip,
      severity: text(details.attack_severity, 50),
      peakBps: bytesPerSecond === undefined ? undefined : bytesPerSecond * 8,
      peakPps: rate(direction === 'outgoing' ? details.total_outgoing_pps : details.total_incoming_pps),
    });
  },
};
