/**
 * The notification activity: sends one workflow event to every channel of its workspace that
 * subscribes to it. Delivery is at least once: channels already served are kept in the
 * activity's heartbeat details, so a retry (after another channel failed) skips them, and every
 * event carries an id receivers can deduplicate by. A channel that refuses (a 4xx other than
 * 408/429) is given up and logged; any other failure is logged and makes the activity retry
 * with its own policy, set by the workflow, which never waits for it.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
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
    // The channels served reach a retry through the heartbeat's details. Each heartbeat is a call
    // Temporal writes down, so one is sent only when it records something new: a channel that
    // never answers used to cost one on every attempt, and the last channel of an attempt that
    // succeeds needs none.
    let recorded = -1;
    const record = () => {
      if (served.size === recorded) return;
      recorded = served.size;
      context.heartbeat([...served]);
    };
    for (const [index, channel] of channels.entries()) {
      const servedBefore = served.size;
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
          context.log.warn('notification not delivered', { channel: channel.id, type: channel.type, error: message, attempt: context.info.attempt });
        }
      }
      // Progress is recorded while channels remain, so a crash mid-way does not repeat them.
      if (served.size > servedBefore && index < channels.length - 1) record();
    }
    if (failures.length > 0) {
      // A retry follows: it must find every channel served (even those a previous attempt recorded).
      if (served.size > 0) record();
      // A channel that fails is the channel's failure, not the worker's: logged above, one line per
      // channel, and counted in the delivery metric. Benign, so the SDK does not log it again as a
      // failed activity with its stack trace on every attempt.
      throw ApplicationFailure.create({ message: `notification not delivered: ${failures.join('; ')}`, type: 'NotificationDeliveryFailed', category: ApplicationFailureCategory.BENIGN });
    }
    return report;
  };
}
