/**
 * Records read by id on every provider operation (an integration, its credentials still
 * encrypted), remembered by one process: each is read once, then served from memory while the
 * change feed (store/change-feed.ts) trusts it; the feed's poll forgets every record changed
 * lately, through any process, so a change reaches the cache within about two polls. A record
 * is also forgotten after `ttlMs`, and when the process asks (`forget`); a caller that must see
 * the latest (an operator's Test, a retry after a failure) asks for it `fresh`. An absent record
 * is never remembered. Bounded: the oldest entries go first beyond `maxEntries`.
 */
import { pollChanges } from './change-feed';

export const DEFAULT_RECORD_CACHE = { pollMs: 2_000, ttlMs: 300_000, maxEntries: 10_000 };

export function cachedById<T>(load: (id: string) => Promise<T | null>, changedSince: (since: Date) => Promise<string[]>, settings: Partial<typeof DEFAULT_RECORD_CACHE> = {}) {
  const { pollMs, ttlMs, maxEntries } = { ...DEFAULT_RECORD_CACHE, ...settings };
  const entries = new Map<string, { record: T; until: number }>();
  const forget = (id: string) => void entries.delete(id);
  const feed = pollChanges(changedSince, { onChanges: (ids) => ids.forEach(forget), onGap: () => entries.clear() }, pollMs);
  return {
    /** The record, from memory when it can; `fresh` reads it (and remembers what it read) whatever is remembered. */
    async get(id: string, { fresh = false } = {}): Promise<T | null> {
      const now = Date.now();
      const hit = entries.get(id);
      if (!fresh && hit && hit.until > now && feed.trusted()) return hit.record;
      entries.delete(id);
      const record = await load(id);
      if (record !== null) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(id, { record, until: now + ttlMs });
      }
      return record;
    },
    forget,
    stop: () => feed.stop(),
  };
}
