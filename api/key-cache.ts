/**
 * API keys as the attack path needs them: every report authenticates, and a detector sends
 * many. A key found valid is remembered by the SHA-256 digest of the presented token for
 * `ttlMs`; nothing else is remembered (an unknown or revoked token is always looked up, so a
 * new key works at once). A revocation through this process forgets the key at once. One
 * through another API process reaches this one through the revocation feed: every
 * `revocationPollMs` the process reads the keys revoked lately (one small query, whatever the
 * traffic) and forgets them, so such a key stops working here within about two polls. While
 * the feed does not answer (MongoDB away), remembered keys are trusted for three polls at most,
 * then every request looks its key up again. Without a feed (`revocationPollMs` 0), a revocation
 * elsewhere takes effect within `ttlMs`.
 */
import { createHash } from 'node:crypto';
import type { ApiKey, ApiKeyRepository } from '../store/api-keys';
import { pollChanges } from '../store/change-feed';

export const DEFAULT_KEY_CACHE = { ttlMs: 300_000, maxEntries: 10_000, revocationPollMs: 2_000 };

export type KeyLookup = Pick<ApiKeyRepository, 'authenticate'> & {
  /** Forgets a key (revoked, deleted) so it stops working here at once. */
  forget(keyId: string): void;
  /** Stops the revocation feed (the process is closing). */
  stop(): void;
};

export function cachedKeyLookup(apiKeys: Pick<ApiKeyRepository, 'authenticate'> & Partial<Pick<ApiKeyRepository, 'revokedSince'>>, settings: Partial<typeof DEFAULT_KEY_CACHE> = {}): KeyLookup {
  const { ttlMs, maxEntries, revocationPollMs } = { ...DEFAULT_KEY_CACHE, ...settings };
  const entries = new Map<string, { key: ApiKey; until: number }>();
  const digest = (token: string) => createHash('sha256').update(token).digest('hex');
  const forget = (keyId: string) => {
    for (const [id, entry] of entries) if (entry.key.id === keyId) entries.delete(id);
  };

  const feed =
    apiKeys.revokedSince && revocationPollMs > 0 && ttlMs > 0
      ? pollChanges(apiKeys.revokedSince.bind(apiKeys), { onChanges: (revoked) => revoked.forEach(forget), onGap: () => entries.clear() }, revocationPollMs)
      : undefined;

  return {
    async authenticate(token) {
      if (ttlMs <= 0) return apiKeys.authenticate(token);
      const id = digest(token);
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.until > now && (!feed || feed.trusted())) return hit.key;
      entries.delete(id);
      const key = await apiKeys.authenticate(token);
      if (key) {
        // Oldest first out: a Map iterates in insertion order.
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(id, { key, until: now + ttlMs });
      }
      return key;
    },
    forget,
    stop: () => feed?.stop(),
  };
}
