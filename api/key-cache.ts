/**
 * API keys as the attack path needs them: every report authenticates, and a detector sends
 * many. Active keys are remembered by their hash (the SHA-256 of the key, which is also the
 * digest of a presented token), read in one query at start and every half `ttlMs`, so a burst of
 * detectors after a quiet hour looks none up. A key is remembered for `ttlMs` at most. An unknown
 * token is always looked up (a key created a moment ago works at once) and remembered when valid.
 * A revocation through this process forgets the key at once. The change feed tells every API
 * process which keys were created or revoked anywhere (one small query every `revocationPollMs`,
 * whatever the traffic): those are forgotten and read again, so a revoked key stops working here
 * within about a poll and a new one is in memory before its first use. While the feed does not
 * answer (MongoDB away), remembered keys are trusted for three polls at most, then every request
 * looks its key up again. Without a feed (`revocationPollMs` 0), a revocation elsewhere takes
 * effect within `ttlMs`, and nothing is read ahead.
 */
import { createHash } from 'node:crypto';
import type { ApiKeyRepository } from '../store/api-keys';
import { pollChanges } from '../store/change-feed';

export const DEFAULT_KEY_CACHE = { ttlMs: 300_000, maxEntries: 10_000, revocationPollMs: 2_000 };

export type KeyLookup = Pick<ApiKeyRepository, 'authenticate'> & {
  /** Forgets a key (revoked, deleted) so it stops working here at once. */
  forget(keyId: string): void;
  /** Stops the revocation feed (the process is closing). */
  stop(): void;
};

type KeySource = Pick<ApiKeyRepository, 'authenticate'> & Partial<Pick<ApiKeyRepository, 'changedSince' | 'activeKeys'>>;

export function cachedKeyLookup(apiKeys: KeySource, settings: Partial<typeof DEFAULT_KEY_CACHE> = {}): KeyLookup {
  const { ttlMs, maxEntries, revocationPollMs } = { ...DEFAULT_KEY_CACHE, ...settings };
  type Key = NonNullable<Awaited<ReturnType<KeySource['authenticate']>>>;
  /** By digest; `readAt` numbers the read (see below). */
  const entries = new Map<string, { key: Key; until: number; readAt: number }>();
  /**
   * Reads and forgettings are numbered in the order they happen: a read numbered before its key
   * was last forgotten (revoked meanwhile) is not remembered. Bounded like the entries.
   */
  let seq = 0;
  const forgottenAt = new Map<string, number>();
  let clearedAt = 0;
  const digest = (token: string) => createHash('sha256').update(token).digest('hex');

  const forget = (keyId: string) => {
    for (const [id, entry] of entries) if (entry.key.id === keyId) entries.delete(id);
    forgottenAt.delete(keyId);
    if (forgottenAt.size >= maxEntries) forgottenAt.delete(forgottenAt.keys().next().value as string);
    forgottenAt.set(keyId, ++seq);
  };
  const beginRead = () => ({ readAt: ++seq, now: Date.now() });
  function remember(hash: string, key: Key, { readAt, now }: ReturnType<typeof beginRead>): void {
    if (readAt < clearedAt || readAt < (forgottenAt.get(key.id) ?? 0) || readAt < (entries.get(hash)?.readAt ?? 0)) return;
    entries.delete(hash);
    // Oldest first out: a Map iterates in insertion order.
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(hash, { key, until: now + ttlMs, readAt });
  }

  const feeding = apiKeys.changedSince && revocationPollMs > 0 && ttlMs > 0;
  /** Background reads of active keys (all, or those the log named): one at a time; what is named meanwhile waits for the next. */
  let pending: Set<string> | 'all' | undefined;
  let reading = false;
  let stopped = false;
  function readAhead(what: string[] | 'all'): void {
    const bulk = apiKeys.activeKeys;
    if (!feeding || !bulk || stopped) return;
    pending = what === 'all' || pending === 'all' ? 'all' : new Set([...(pending ?? []), ...what]);
    if (reading) return;
    const next = pending;
    pending = undefined;
    reading = true;
    const read = beginRead();
    void (next === 'all' ? bulk.all(maxEntries) : bulk.some([...next]))
      .then((found) => {
        for (const { hash, key } of found.values()) remember(hash, key, read);
      })
      .catch(() => undefined) // MongoDB is away: keys are looked up as they are presented
      .finally(() => {
        reading = false;
        if (pending) readAhead([]);
      });
  }

  const feed = feeding
    ? pollChanges(
        apiKeys.changedSince!.bind(apiKeys),
        {
          onChanges: (ids) => {
            ids.forEach(forget);
            readAhead(ids);
          },
          onGap: () => {
            entries.clear();
            clearedAt = ++seq;
            readAhead('all');
          },
        },
        revocationPollMs,
      )
    : undefined;
  readAhead('all');
  const reload = feed && apiKeys.activeKeys ? setInterval(() => readAhead('all'), Math.max(1, Math.floor(ttlMs / 2))) : undefined;
  reload?.unref();

  return {
    async authenticate(token) {
      if (ttlMs <= 0) return apiKeys.authenticate(token);
      const id = digest(token);
      const hit = entries.get(id);
      if (hit && hit.until > Date.now() && (!feed || feed.trusted())) return hit.key;
      const read = beginRead();
      const key = await apiKeys.authenticate(token);
      if (key) remember(id, key, read);
      else entries.delete(id);
      return key;
    },
    forget,
    stop: () => {
      stopped = true;
      clearInterval(reload);
      feed?.stop();
    },
  };
}
