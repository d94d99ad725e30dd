/**
 * A change feed by polling, for caches that several processes (API, worker) keep of the same documents
 * (MongoDB change streams are not available on FerretDB). Every `pollMs` it reads the change log's
 * entries of the last `LOOKBACK_MS` (store/changes.ts: one small query whatever the traffic) and
 * hands the cache the documents named by entries it has not seen before: each entry is acted on
 * once (a writer notes before and after its write, so a document read between the two is read
 * again after the second). Reading a minute back lets processes' clocks differ by less than that.
 * A cache serves what it remembers only while `trusted()`: until three polls after the last one
 * that answered. After a gap longer than the look-back, `onGap` tells the cache to start afresh
 * (an entry may have been missed).
 */
import type { ChangeEntry } from './changes';

export const LOOKBACK_MS = 60_000;

export interface ChangeFeed {
  /** Whether the feed answered recently enough for a cache to serve what it remembers. */
  trusted(): boolean;
  stop(): void;
}

export interface ChangeHandlers {
  /** Documents named by entries not seen before (each once per poll, oldest entry first). */
  onChanges(refs: string[]): void;
  onGap(): void;
}

export function pollChanges(read: (since: Date) => Promise<ChangeEntry[]>, handlers: ChangeHandlers, pollMs: number): ChangeFeed {
  let trustedUntil = 0;
  let lastAnswer = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Entries already acted on, among those the last poll read (older ones leave the window and are forgotten). */
  let seen = new Set<string>();
  async function poll(): Promise<void> {
    const startedAt = Date.now();
    try {
      const entries = await read(new Date(startedAt - LOOKBACK_MS));
      if (lastAnswer > 0 && startedAt - lastAnswer >= LOOKBACK_MS) handlers.onGap();
      const fresh = entries.filter((e) => !seen.has(e.entry));
      seen = new Set(entries.map((e) => e.entry));
      if (fresh.length > 0) handlers.onChanges([...new Set(fresh.map((e) => e.ref))]);
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
