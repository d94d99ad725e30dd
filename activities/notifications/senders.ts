/**
 * The three channel types. Each sends one event over HTTP and classifies the answer:
 * 2xx delivered; 408, 429 and 5xx (and no answer) retried; any other 4xx refused.
 *   - webhook: the event as JSON, signed: X-Scrubbing-Signature = "sha256=" + HMAC-SHA256(secret, "<timestamp>.<body>")
 *     with X-Scrubbing-Timestamp (Unix seconds) and X-Scrubbing-Delivery (the event id).
 *   - slack: an incoming-webhook message ({text, blocks}).
 *   - pagerduty: Events API v2, trigger / resolve with a stable dedup key per workspace and integration.
 */
import { createHmac } from 'node:crypto';
import axios from 'axios';
import { guardedRequestOptions, RefusedDestinationError } from '../outbound/connect';
import { PUBLIC_HTTPS_ONLY, refusedUrl, type OutboundPolicy } from '../outbound/destination';
import { summaryOf } from './format';
import type { DeliverableChannel } from '../../catalog/notifications';
import { DeliveryError, type OutgoingEvent } from './types';

const TIMEOUT_MS = 10_000;

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

export interface SenderOptions {
  /** PagerDuty Events API v2 endpoint (the operator's; overridable for tests). */
  pagerDutyUrl: string;
  /** Where tenant-configured URLs (webhooks, Slack) may go; default: public https destinations only. */
  outbound?: OutboundPolicy;
}

const guarded = new WeakMap<OutboundPolicy, ReturnType<typeof guardedRequestOptions>>();

/**
 * Posts to a tenant-configured URL: refused (not retried) unless the outbound rules allow
 * its host, and every address its name resolves to, at connect time.
 */
async function postToTenantUrl(url: string, kind: 'webhook' | 'slack', body: string, headers: Record<string, string>, policy = PUBLIC_HTTPS_ONLY): Promise<void> {
  const refused = refusedUrl(url, kind, policy);
  if (refused) throw new DeliveryError(`destination refused: ${refused}`, false);
  if (!guarded.has(policy)) guarded.set(policy, guardedRequestOptions(policy));
  await post(url, body, headers, guarded.get(policy));
}

async function post(url: string, body: string, headers: Record<string, string>, connect: object = { maxRedirects: 0 }): Promise<void> {
  let status: number;
  try {
    status = (
      await axios.post(url, body, {
        headers: { 'content-type': 'application/json', 'user-agent': 'scrubbing-orchestrator', ...headers },
        timeout: TIMEOUT_MS,
        maxRedirects: 0,
        validateStatus: () => true,
        ...connect,
      })
    ).status;
  } catch (err) {
    if (err instanceof RefusedDestinationError || (err as { cause?: unknown }).cause instanceof RefusedDestinationError) {
      throw new DeliveryError(`destination refused: ${(err as Error).message}`, false);
    }
    throw new DeliveryError(`no answer (${(err as { code?: string }).code ?? 'network error'})`, true);
  }
  if (status >= 200 && status < 300) return;
  throw new DeliveryError(`HTTP ${status}`, status === 408 || status === 429 || status >= 500);
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function sendWebhook(channel: DeliverableChannel, event: OutgoingEvent, now: Date, options: SenderOptions): Promise<void> {
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  await postToTenantUrl(
    text(channel.settings.url, ''),
    'webhook',
    body,
    {
      'x-scrubbing-event': event.event,
      'x-scrubbing-delivery': event.id,
      'x-scrubbing-timestamp': timestamp,
      'x-scrubbing-signature': signature(text(channel.secrets.signingSecret, ''), timestamp, body),
    },
    options.outbound,
  );
}

async function sendSlack(channel: DeliverableChannel, event: OutgoingEvent, options: SenderOptions): Promise<void> {
  const summary = summaryOf(event);
  const body = {
    text: summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: summary } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${event.temporalUrl}|Temporal history> · ${event.at}` }] },
    ],
  };
  await postToTenantUrl(text(channel.secrets.webhookUrl, ''), 'slack', JSON.stringify(body), {}, options.outbound);
}

/** PagerDuty: which events trigger and which resolve, by the channel's `triggerOn`. */
export function pagerDutyAction(event: OutgoingEvent, triggerOn: string): 'trigger' | 'resolve' | null {
  if (event.event === 'operation_failed') return 'trigger';
  if (event.event === 'withdrawn') return 'resolve';
  if (event.event === 'diverted') return triggerOn === 'diversion' ? 'trigger' : 'resolve';
  return null; // manual actions are audited and sent to the other channels, not paged
}

async function sendPagerDuty(channel: DeliverableChannel, event: OutgoingEvent, options: SenderOptions): Promise<void> {
  const action = pagerDutyAction(event, text(channel.settings.triggerOn, 'failure'));
  if (!action) return;
  const body = {
    routing_key: text(channel.secrets.routingKey, ''),
    event_action: action,
    dedup_key: `scrubbing/${event.workspaceId}/${event.integration.id}`,
    ...(action === 'trigger'
      ? {
          payload: {
            summary: summaryOf(event).slice(0, 1024),
            source: 'scrubbing-orchestrator',
            severity: text(channel.settings.severity, 'critical'),
            timestamp: event.at,
            component: event.integration.type,
            group: event.workspaceId,
            class: event.event,
            custom_details: {
              integration: event.integration,
              incidents: event.incidents,
              incident_count: event.incidentCount ?? event.incidents.length,
              error: event.error ?? null,
              event_id: event.id,
            },
          },
          links: [{ href: event.temporalUrl, text: 'Temporal history' }],
        }
      : {}),
  };
  await post(options.pagerDutyUrl, JSON.stringify(body), {});
}

export function sendTo(channel: DeliverableChannel, event: OutgoingEvent, options: SenderOptions, now = new Date()): Promise<void> {
  switch (channel.type) {
    case 'webhook':
      return sendWebhook(channel, event, now, options);
    case 'slack':
      return sendSlack(channel, event, options);
    case 'pagerduty':
      return sendPagerDuty(channel, event, options);
  }
}
