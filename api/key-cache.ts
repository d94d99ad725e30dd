/**
 * API keys as the attack path needs them: every report authenticates, and a detector sends
 * many. A key found valid is remembered by the SHA-256 digest of the presented token for
 * `ttlMs`; nothing else is remembered (an unknown or revoked token is always looked up, so a
 * new key works at once). A revocation through this process forgets the key at once; one
 * through another API process takes effect here within `ttlMs` (API_KEY_CACHE_SECONDS).
 */
import { createHash } from 'node:crypto';
import type { ApiKey, ApiKeyRepository } from '../store/api-keys';

const DEFAULT_KEY_CACHE = { ttlMs: 10_000, maxEntries: 10_000 };

export type KeyLookup = Pick<ApiKeyRepository, 'authenticate'> & {
  /** Forgets a key (revoked, deleted) so it stops working here at once. */
  forget(keyId: string): void;
};

export function cachedKeyLookup(apiKeys: Pick<ApiKeyRepository, 'authenticate'>, settings: Partial<typeof DEFAULT_KEY_CACHE> = {}): KeyLookup {
  const { ttlMs, maxEntries } = { ...DEFAULT_KEY_CACHE, ...settings };
  const entries = new Map<string, { key: ApiKey; until: number }>();
  const digest = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    async authenticate(token) {
      if (ttlMs <= 0) return apiKeys.authenticate(token);
      const id = digest(token);
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.key;
      entries.delete(id);
      const key = await apiKeys.authenticate(token);
      if (key) {
        // Oldest first out: a Map iterates in insertion order.
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(id, { key, until: now + ttlMs });
      }
      return key;
    },
    forget(keyId) {
      for (const [id, entry] of entries) if (entry.key.id === keyId) entries.delete(id);
    },
  };
}
