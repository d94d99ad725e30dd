/**
 * Records read by id on the attack path (an integration with its credentials still encrypted,
 * a workspace's configuration version), remembered by one process and served from memory while
 * the change feed (store/change-feed.ts) trusts it. A record the change log names is forgotten
 * and, with `bulk`, read again at once in the background, so a change through any process reaches
 * the cache within about a poll. With `bulk` the cache also starts warm and stays warm: every
 * record (up to `maxEntries`) is read in one query at start and every half `ttlMs`, and the
 * records the log names are read together, one query per poll; so an attack finds its records in
 * memory even after a quiet hour or a bulk change. A record is forgotten after `ttlMs` (a process
 * from before the change log notes nothing), and when the process asks (`forget`); a caller that
 * must see the latest (an operator's Test, a retry after a failure) asks for it `fresh`. A read
 * that began before the record was forgotten is not remembered (it may predate the change). An
 * absent record is never remembered. Bounded: the oldest entries go first beyond `maxEntries`. The
 * API keys (api/key-cache.ts) are such records too, found by a second key (`index`, `getBy`).
 */
import type { ChangeEntry } from './changes';
import { pollChanges } from './change-feed';

export const DEFAULT_RECORD_CACHE = { pollMs: 2_000, ttlMs: 300_000, maxEntries: 10_000 };

/** Reads of many records at once, for a cache that stays warm. */
export interface BulkReads<T> {
  /** Every record, at most `limit` of them, by id. */
  all(limit: number): Promise<Map<string, T>>;
  /** The records among `ids` that exist, by id. */
  some(ids: string[]): Promise<Map<string, T>>;
}

/** A second way to find a record (an API key by the hash of the presented token), besides its id. */
export interface RecordIndex<T> {
  id(record: T): string;
  key(record: T): string;
}

/**
 * `changedSince` absent: no feed, nothing read ahead, and a remembered record is served until its
 * time to live. `index`: records can also be found by `getBy`.
 */
export function cachedById<T>(
  load: (id: string) => Promise<T | null>,
  changedSince: ((since: Date) => Promise<ChangeEntry[]>) | undefined,
  settings: Partial<typeof DEFAULT_RECORD_CACHE> = {},
  bulk?: BulkReads<T>,
  index?: RecordIndex<T>,
) {
  const { pollMs, ttlMs, maxEntries } = { ...DEFAULT_RECORD_CACHE, ...settings };
  const entries = new Map<string, { record: T; until: number; readAt: number }>();
  /** Index key → id, for the entries remembered (with `index`). */
  const byIndex = new Map<string, string>();
  let stopped = false;
  /**
   * Reads and forgettings are numbered in the order they happen (`seq`): a read numbered before
   * its record was last forgotten (or the whole cache cleared) is not remembered, nor one older
   * than what is remembered. Bounded like the entries.
   */
  let seq = 0;
  const forgottenAt = new Map<string, number>();
  let clearedAt = 0;

  function drop(id: string): void {
    const entry = entries.get(id);
    if (entry && index) byIndex.delete(index.key(entry.record));
    entries.delete(id);
  }
  function forget(id: string): void {
    drop(id);
    forgottenAt.delete(id);
    if (forgottenAt.size >= maxEntries) forgottenAt.delete(forgottenAt.keys().next().value as string);
    forgottenAt.set(id, ++seq);
  }
  /** Where a read begins: its number and the time its record's time to live counts from. */
  const beginRead = () => ({ readAt: ++seq, now: Date.now() });
  function remember(id: string, record: T, { readAt, now }: ReturnType<typeof beginRead>): void {
    if (readAt < clearedAt || readAt < (forgottenAt.get(id) ?? 0) || readAt < (entries.get(id)?.readAt ?? 0)) return;
    drop(id);
    if (entries.size >= maxEntries) drop(entries.keys().next().value as string);
    entries.set(id, { record, until: now + ttlMs, readAt });
    if (index) byIndex.set(index.key(record), id);
  }

  /** Background reads: one at a time; ids named meanwhile wait for the next. */
  let pending: Set<string> | 'all' | undefined;
  let reading = false;
  function readAhead(what: string[] | 'all'): void {
    if (!bulk || !feed || stopped) return;
    if (what === 'all' || pending === 'all') pending = 'all';
    else pending = new Set([...(pending ?? []), ...what]);
    if (reading) return;
    const next = pending;
    pending = undefined;
    reading = true;
    const read = beginRead();
    const ids = next === 'all' ? undefined : [...next];
    void (ids ? bulk.some(ids) : bulk.all(maxEntries))
      .then((found) => {
        for (const [id, record] of found) remember(id, record, read);
      })
      .catch(() => undefined) // the database is away: records are read as they are asked for
      .finally(() => {
        reading = false;
        if (pending) readAhead([]);
      });
  }

  const feed = changedSince
    ? pollChanges(
        changedSince,
        {
          onChanges: (ids) => {
            ids.forEach(forget);
            readAhead(ids);
          },
          onGap: () => {
            entries.clear();
            byIndex.clear();
            clearedAt = ++seq;
            readAhead('all');
          },
        },
        pollMs,
      )
    : undefined;
  readAhead('all');
  const reload = bulk && feed ? setInterval(() => readAhead('all'), Math.max(1, Math.floor(ttlMs / 2))) : undefined;
  reload?.unref();

  const usable = (entry: { until: number } | undefined): entry is { record: T; until: number; readAt: number } => entry !== undefined && entry.until > Date.now() && (!feed || feed.trusted());

  /** Reads with `read`, remembers what it found under `idOf` it, and forgets `stale` (what was remembered before) when it found nothing. */
  async function readThrough(read: () => Promise<T | null>, idOf: (record: T) => string, stale: string | undefined): Promise<T | null> {
    const started = beginRead();
    const record = await read();
    if (record !== null) remember(idOf(record), record, started);
    else if (stale !== undefined) drop(stale);
    return record;
  }

  return {
    /** The record, from memory when it can; `fresh` reads it (and remembers what it read) whatever is remembered. */
    async get(id: string, { fresh = false } = {}): Promise<T | null> {
      const hit = entries.get(id);
      if (!fresh && usable(hit)) return hit.record;
      return readThrough(
        () => load(id),
        () => id,
        id,
      );
    },
    /** With `index`: the record whose index key is `key`, from memory when it can, else read with `read` and remembered. */
    async getBy(key: string, read: () => Promise<T | null>): Promise<T | null> {
      const id = byIndex.get(key);
      const hit = id === undefined ? undefined : entries.get(id);
      if (usable(hit)) return hit.record;
      return readThrough(read, (record) => index!.id(record), id);
    },
    forget,
    stop: () => {
      stopped = true;
      clearInterval(reload);
      feed?.stop();
    },
  };
}
