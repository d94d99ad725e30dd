/**
 * A workspace run's notifications in flight, bounded. Each workflow event for the channels is one
 * notification activity, retried for minutes while a channel fails. Unbounded, a channel that is
 * down for long (the fuzz run's PagerDuty, unreachable offline) left about 180 of them retrying at
 * once in one workspace: their completions kept arriving while the run continued as new, its
 * workflow task failed over and over, and a state query waited past 10 s.
 *
 * At most `maxInFlight` run at once; later ones wait, oldest first, and start as earlier ones
 * finish. At most `maxWaiting` wait: beyond, the oldest waiting one is dropped (the newest events
 * say most about the attack now). Pure: the executor keeps the tasks and runs the activities.
 */
export const NOTIFICATION_LIMITS = { maxInFlight: 10, maxWaiting: 200 };

export interface NotificationQueue<T> {
  /** A new notification: `start` it now, or it waits; `dropped` is a waiting one given up to make room. */
  offer(item: T): { start?: T; dropped?: T };
  /** One in flight finished: the next to start, if one waits. */
  finished(): T | undefined;
  readonly inFlight: number;
  readonly waiting: number;
}

export function notificationQueue<T>(limits = NOTIFICATION_LIMITS): NotificationQueue<T> {
  let inFlight = 0;
  const waiting: T[] = [];
  return {
    offer(item) {
      if (inFlight < limits.maxInFlight) {
        inFlight++;
        return { start: item };
      }
      waiting.push(item);
      return waiting.length > limits.maxWaiting ? { dropped: waiting.shift() } : {};
    },
    finished() {
      const next = waiting.shift();
      if (next === undefined) inFlight = Math.max(0, inFlight - 1);
      return next;
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
