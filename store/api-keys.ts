/**
 * API keys: `so_<prefix>_<secret>`. Only a SHA-256 hash is stored (the key has 256 bits
 * of entropy, so a slow hash adds nothing); the key is returned once, at creation.
 * Lookup is by the public prefix, then a timing-safe comparison of hashes.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { groupCommitUpdates } from './group-commit';
import { changeLog, type ChangeEntry } from './changes';
import type { BulkReads } from './record-cache';
import type { Models } from './models';

export const ROLES = ['owner', 'admin', 'detector', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  id: string;
  workspace: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A key with its stored hash (the SHA-256 of the key, hex): what a key cache is keyed by. */
export interface KeyWithHash {
  hash: string;
  key: ApiKey;
}

type Raw = Omit<ApiKey, 'id'> & { _id: string; hash?: string };
const toApiKey = ({ _id, hash: _hash, ...rest }: Raw): ApiKey => ({ id: _id, ...rest });
const KEY_PATTERN = /^so_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function apiKeyRepository(models: Models) {
  const { ApiKey } = models;
  const changes = changeLog(models);
  const activeWhere = async (filter: Record<string, unknown>, limit: number): Promise<Map<string, KeyWithHash>> => {
    const rows = await ApiKey.find(filter).select('+hash').limit(limit).lean<Raw[]>();
    return new Map(rows.flatMap((row) => (row.hash ? [[row._id, { hash: row.hash, key: toApiKey(row) }] as const] : [])));
  };
  const update = groupCommitUpdates((ops: Parameters<typeof ApiKey.bulkWrite>[0]) => ApiKey.bulkWrite(ops, { ordered: false }));
  return {
    async create(workspace: string, name: string, role: Role): Promise<{ apiKey: ApiKey; key: string }> {
      const prefix = randomBytes(6).toString('hex');
      const key = `so_${prefix}_${randomBytes(32).toString('base64url')}`;
      const created = await ApiKey.create({ _id: `key_${randomUUID()}`, workspace, name, role, prefix, hash: hashKey(key).toString('hex') });
      // Noted, so the API processes' key caches read it before its first use (api/key-cache.ts); best effort.
      await changes.note('api_key', created._id).catch(() => undefined);
      return { apiKey: toApiKey(created.toObject() as Raw), key };
    },

    /** The active key matching a presented token, or null. */
    async authenticate(token: string): Promise<ApiKey | null> {
      const match = KEY_PATTERN.exec(token);
      if (!match) return null;
      const found = await ApiKey.findOne({ prefix: match[1], revokedAt: null }).select('+hash').lean<Raw>();
      const presented = hashKey(token);
      // Compare even when nothing was found, so timing does not tell whether the prefix exists.
      const stored = found?.hash ? Buffer.from(found.hash, 'hex') : Buffer.alloc(presented.length);
      return timingSafeEqual(presented, stored) && found ? toApiKey(found) : null;
    },

    async list(workspace: string): Promise<ApiKey[]> {
      return (await ApiKey.find({ workspace }).sort({ createdAt: 1 }).lean<Raw[]>()).map(toApiKey);
    },

    async countActive(workspace: string): Promise<number> {
      return ApiKey.countDocuments({ workspace, revokedAt: null });
    },

    /** Deletes a key outright (a create refused by a cap after the write). */
    async remove(workspace: string, id: string): Promise<void> {
      await ApiKey.deleteOne({ _id: id, workspace });
    },

    /** Keeps the `keep` most recently revoked keys of the workspace; older revoked ones are deleted. */
    async pruneRevoked(workspace: string, keep: number): Promise<void> {
      const old = await ApiKey.find({ workspace, revokedAt: { $ne: null } })
        .sort({ revokedAt: -1 })
        .skip(keep)
        .select('_id')
        .lean<{ _id: string }[]>();
      if (old.length > 0) await ApiKey.deleteMany({ _id: { $in: old.map((k) => k._id) } });
    },

    async revoke(workspace: string, id: string): Promise<boolean> {
      const result = await changes.around('api_key', id, () => ApiKey.updateOne({ _id: id, workspace, revokedAt: null }, { $set: { revokedAt: new Date() } })); // store/changes.ts
      return result.modifiedCount === 1;
    },

    /** Change log entries of keys created or revoked at or after `since` (the API processes' key feed, api/key-cache.ts). */
    changedSince: (since: Date): Promise<ChangeEntry[]> => changes.since('api_key', since),

    /**
     * Active keys with their hash (the SHA-256 of the key, hex), by key id: for the API processes'
     * key caches to start warm and read new keys ahead of their first use (api/key-cache.ts).
     */
    activeKeys: {
      all: (limit: number) => activeWhere({ revokedAt: null }, limit),
      some: (ids: string[]) => activeWhere({ _id: { $in: ids }, revokedAt: null }, ids.length),
    } satisfies BulkReads<KeyWithHash>,

    /** Notes a key's last use; a burst of first uses (a thousand detectors at once) is written in batches. */
    async touch(id: string, at: Date): Promise<void> {
      await update({ updateOne: { filter: { _id: id }, update: { $set: { lastUsedAt: at } } } });
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
