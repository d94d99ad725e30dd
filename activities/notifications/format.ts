/** One-line human text for an event, shared by Slack and PagerDuty. */
import type { OutgoingEvent } from './types';

export function summaryOf(event: OutgoingEvent): string {
  const integration = `${event.integration.name ?? event.integration.id} (${event.integration.type})`;
  const more = (event.incidentCount ?? event.incidents.length) - event.incidents.length;
  const incidents = event.incidents.length > 0 ? `; incidents: ${event.incidents.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  switch (event.event) {
    case 'diverted':
      return `[${event.workspaceId}] traffic diverted: ${integration}${incidents}`;
    case 'withdrawn':
      return `[${event.workspaceId}] diversion withdrawn: ${integration}`;
    case 'operation_failed':
      return `[${event.workspaceId}] ${event.operation === 'activate' ? 'divert' : 'withdraw'} FAILED: ${integration}: ${event.error?.type ?? 'Error'}: ${event.error?.message ?? ''}${incidents}`;
    case 'manual_action':
      return `[${event.workspaceId}] manual ${event.operation} by ${event.actor ?? 'unknown'}: ${integration}${event.error ? ` failed: ${event.error.type}` : ''}`;
    case 'drift':
      return `[${event.workspaceId}] DRIFT at the provider: ${integration}: ${event.detail ?? ''}${event.operation ? `; re-applying (${event.operation})` : '; report only, left as found'}`;
    case 'dry_run':
      return `[${event.workspaceId}] dry run: would ${event.operation === 'activate' ? 'divert' : 'withdraw'}: ${integration}${incidents}`;
    case 'activation_deferred':
      return `[${event.workspaceId}] divert waits for the provider: ${integration}: ${event.detail ?? ''}${incidents}`;
    case 'withdraw_held':
      return `[${event.workspaceId}] withdrawal held, the provider still sees the attack: ${integration}: ${event.detail ?? ''}`;
    case 'provider_calm':
      return `[${event.workspaceId}] provider calm, withdrawing: ${integration}: ${event.detail ?? ''}`;
    case 'calm_wait_expired':
      return `[${event.workspaceId}] withdrawal held for its maximum wait: ${integration}: ${event.detail ?? ''}`;
    case 'telemetry_unavailable':
      return `[${event.workspaceId}] provider telemetry UNAVAILABLE, withdrawing on the hold-down alone: ${integration}: ${event.detail ?? ''}`;
  }
}
