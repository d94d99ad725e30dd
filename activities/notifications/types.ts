/** What senders work with: an event with its Temporal UI link, and their verdict. */
import type { NotificationEvent } from '../../catalog/notifications';

/** What a sender gets: the event plus the Temporal UI link to its workflow. */
export type OutgoingEvent = NotificationEvent & { temporalUrl: string };

/** A sender's verdict: delivered, or failed (retry later) or refused (retrying cannot help). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
