/** The one-line texts of the provider-policy events, and which of them page (none: they are not outages). */
import { summaryOf } from '../../activities/notifications/format';
import { pagerDutyAction } from '../../activities/notifications/senders';
import type { OutgoingEvent } from '../../activities/notifications/types';

const base: Omit<OutgoingEvent, 'event'> = {
  id: 'scrubbing-acme/run/1',
  workspaceId: 'acme',
  workflowId: 'scrubbing-acme',
  integration: { id: 'int-1', type: 'cloudflare', name: 'Magic Transit' },
  incidents: ['atk-1'],
  at: '2026-11-27T10:08:00.000Z',
  temporalUrl: 'http://temporal-ui.test/x',
};

test.each([
  [
    { event: 'drift', operation: 'activate', detail: 'provider shows not diverted, expected diverted: prefix 192.0.2.0/24 withdrawn' },
    '[acme] DRIFT at the provider: Magic Transit (cloudflare): provider shows not diverted, expected diverted: prefix 192.0.2.0/24 withdrawn; re-applying (activate)',
  ],
  [
    { event: 'drift', detail: 'provider shows diverted, expected not diverted: x' },
    '[acme] DRIFT at the provider: Magic Transit (cloudflare): provider shows diverted, expected not diverted: x; report only, left as found',
  ],
  [{ event: 'dry_run', operation: 'withdraw' }, '[acme] dry run: would withdraw: Magic Transit (cloudflare); incidents: atk-1'],
  [
    { event: 'activation_deferred', operation: 'activate', detail: 'activation waits until 10:38' },
    '[acme] divert waits for the provider: Magic Transit (cloudflare): activation waits until 10:38; incidents: atk-1',
  ],
  [{ event: 'diverted', operation: 'activate', incidents: ['atk-1', 'atk-2'], incidentCount: 1900 }, '[acme] traffic diverted: Magic Transit (cloudflare); incidents: atk-1, atk-2 and 1898 more'],
] as const)('%j', (event, text) => {
  const outgoing = { ...base, ...event } as OutgoingEvent;
  expect(summaryOf(outgoing)).toBe(text);
  if (event.event !== 'diverted') expect(pagerDutyAction(outgoing, 'diversion')).toBeNull();
});
