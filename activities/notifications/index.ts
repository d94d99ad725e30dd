/**
 * The notification activity: sends one workflow event to every channel of its workspace that
 * subscribes to it. Delivery is at least once: channels already served are kept in the
 * activity's heartbeat details, so a retry (after another channel failed) skips them, and every
 * event carries an id receivers can deduplicate by. A channel that refuses (a 4xx other than
 * 408/429) is given up and logged; any other failure makes the activity retry with its own
 * policy, set by the workflow, which never waits for it.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WorkerMetrics } from '../metrics';
import { outboundPolicyFromEnv } from '../outbound/destination';
import { sendTo, type SenderOptions } from './senders';
import type { DeliverableChannel, NotificationEvent } from '../../catalog/notifications';
import { DeliveryError } from './types';
import { temporalWorkflowUrl } from '../../telemetry/temporal-ui';

export interface ChannelSource {
  loadForDelivery(workspaceId: string): Promise<DeliverableChannel[]>;
}

export interface NotificationOptions extends SenderOptions {
  channels: ChannelSource;
  /** Base URL of the Temporal UI, for the link in every message. */
  temporalUiUrl: string;
}

const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

export function notificationOptionsFromEnv(channels: ChannelSource): NotificationOptions {
  return {
    channels,
    pagerDutyUrl: process.env.PAGERDUTY_EVENTS_URL || DEFAULT_PAGERDUTY_URL,
    outbound: outboundPolicyFromEnv(),
    temporalUiUrl: (process.env.TEMPORAL_UI_URL || 'http://127.0.0.1:8233').replace(/\/+$/, ''),
  };
}

export interface DeliveryReport {
  delivered: number;
  refused: number;
}

export function createNotifyActivity(options: NotificationOptions | undefined, metrics?: WorkerMetrics) {
  return async function notify(event: NotificationEvent): Promise<DeliveryReport> {
    if (!options) return { delivered: 0, refused: 0 };
    const context = Context.current();
    const served = new Set<string>(Array.isArray(context.info.heartbeatDetails) ? (context.info.heartbeatDetails as string[]) : []);
    const channels = (await options.channels.loadForDelivery(event.workspaceId)).filter((channel) => !served.has(channel.id) && (channel.events.length === 0 || channel.events.includes(event.event)));
    const temporalUrl = temporalWorkflowUrl(options.temporalUiUrl, context.info.workflowNamespace ?? 'default', event.workflowId);
    const report: DeliveryReport = { delivered: 0, refused: 0 };
    const failures: string[] = [];
    for (const channel of channels) {
      try {
        await sendTo(channel, { ...event, temporalUrl }, options);
        report.delivered++;
        served.add(channel.id);
        metrics?.notificationDelivery({ channelType: channel.type, outcome: 'delivered' });
      } catch (err) {
        const message = err instanceof DeliveryError ? err.message : 'unexpected error';
        if (err instanceof DeliveryError && !err.retryable) {
          report.refused++;
          served.add(channel.id);
          metrics?.notificationDelivery({ channelType: channel.type, outcome: 'refused' });
          context.log.warn('notification refused by the channel; not retried', { channel: channel.id, type: channel.type, error: message });
        } else {
          failures.push(`${channel.type} channel ${channel.id}: ${message}`);
          metrics?.notificationDelivery({ channelType: channel.type, outcome: 'failed' });
        }
      }
      context.heartbeat([...served]);
    }
    if (failures.length > 0) throw ApplicationFailure.retryable(`notification not delivered: ${failures.join('; ')}`, 'NotificationDeliveryFailed');
    return report;
  };
}
