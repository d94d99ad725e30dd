/**
 * API keys as the attack path needs them: every report authenticates, and a detector sends
 * many. Active keys are remembered like any record read by id (store/record-cache.ts), and found
 * by their hash (the SHA-256 of the key, which is also the digest of a presented token): read in
 * one query at start and every half `ttlMs`, so a burst of detectors after a quiet hour looks
 * none up. A key is remembered for `ttlMs` at most. An unknown token is always looked up (a key
 * created a moment ago works at once) and remembered when valid. A revocation through this
 * process forgets the key at once. The change feed tells every API process which keys were
 * created or revoked anywhere (one small query every `revocationPollMs`, whatever the traffic):
 * those are forgotten and read again, so a revoked key stops working here within about a poll and
 * a new one is in memory before its first use. While the feed does not answer (MongoDB away),
 * remembered keys are trusted for three polls at most, then every request looks its key up again.
 * Without a feed (`revocationPollMs` 0), a revocation elsewhere takes effect within `ttlMs`, and
 * nothing is read ahead.
 */
import { createHash } from 'node:crypto';
import type { ApiKeyRepository, KeyWithHash } from '../store/api-keys';
import { cachedById } from '../store/record-cache';

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
  if (ttlMs <= 0) return { authenticate: (token) => apiKeys.authenticate(token), forget: () => undefined, stop: () => undefined };
  const keys = cachedById<KeyWithHash>(
    () => Promise.resolve(null), // never asked by id: keys are found by hash (`getBy`), and read again in bulk
    apiKeys.changedSince && revocationPollMs > 0 ? apiKeys.changedSince.bind(apiKeys) : undefined,
    { pollMs: revocationPollMs, ttlMs, maxEntries },
    apiKeys.activeKeys, // read ahead only with a feed (store/record-cache.ts)
    { id: (entry) => entry.key.id, key: (entry) => entry.hash },
  );
  return {
    async authenticate(token) {
      const hash = createHash('sha256').update(token).digest('hex');
      const found = await keys.getBy(hash, async () => {
        const key = await apiKeys.authenticate(token);
        return key ? { hash, key } : null;
      });
      return found?.key ?? null;
    },
    forget: keys.forget,
    stop: keys.stop,
  };
}
