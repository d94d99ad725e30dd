/**
 * A change feed by polling, for caches that several processes (API, worker) keep of the same documents
 * (MongoDB change streams are not available on FerretDB). Every `pollMs` it reads what changed
 * lately (`read(since)`: the change log, store/changes.ts, one small query whatever the traffic)
 * and hands it to the cache. Each
 * poll reads `LOOKBACK_MS` back, so processes' clocks may differ by less than that, and a value a
 * cache stored from a read that raced a change is corrected by a later poll. A cache serves what
 * it remembers only while `trusted()`: until three polls after the last one that answered. After
 * a gap longer than the look-back, `onGap` tells the cache to start afresh (a change may have
 * been missed).
 */
export const LOOKBACK_MS = 60_000;

export interface ChangeFeed {
  /** Whether the feed answered recently enough for a cache to serve what it remembers. */
  trusted(): boolean;
  stop(): void;
}

export function pollChanges<T>(read: (since: Date) => Promise<T[]>, handlers: { onChanges(changes: T[]): void; onGap(): void }, pollMs: number): ChangeFeed {
  let trustedUntil = 0;
  let lastAnswer = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  async function poll(): Promise<void> {
    const startedAt = Date.now();
    try {
      const changes = await read(new Date(startedAt - LOOKBACK_MS));
      if (lastAnswer > 0 && startedAt - lastAnswer >= LOOKBACK_MS) handlers.onGap();
      handlers.onChanges(changes);
      lastAnswer = startedAt;
      trustedUntil = startedAt + 3 * pollMs;
    } catch {
      // MongoDB is away: trusted until `trustedUntil`, then caches read through.
    }
    if (!stopped) {
      timer = setTimeout(() => void poll(), pollMs);
      timer.unref();
    }
  }
  void poll();
  return {
    trusted: () => Date.now() < trustedUntil,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
