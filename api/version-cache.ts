/**
 * Workspaces' configuration versions as incident reports need them: every report reads its
 * workspace's version (to tell the workflow about a change it may have missed), and a burst is a
 * thousand reads. Remembered like any record read by id (store/record-cache.ts): every version is
 * read at start and every half `ttlMs` in one query, and read again when the change log names the
 * workspace (a change through any API process reaches this one within about a poll), so a burst
 * reads none; not trusted while the feed does not answer. A change made through this process also signals
 * the workflow itself (configPublished), so a report that still carries the previous version
 * meanwhile changes nothing (the workflow ignores an older one). Without a feed (`pollMs` 0),
 * every report reads its version.
 */
import type { ChangeEntry } from '../store/changes';
import { DEFAULT_RECORD_CACHE, cachedById, type BulkReads } from '../store/record-cache';

export interface VersionSource {
  configVersion(workspaceId: string): Promise<number | undefined>;
  /** Change log entries of workspaces noted at or after `since`. */
  changedSince?(since: Date): Promise<ChangeEntry[]>;
  /** Versions in bulk: with them the cache starts warm and reads changed versions ahead of reports. */
  versions?: BulkReads<number>;
}

export function cachedConfigVersions(source: VersionSource, settings: Partial<typeof DEFAULT_RECORD_CACHE> = {}) {
  const { pollMs } = { ...DEFAULT_RECORD_CACHE, ...settings };
  const cache = source.changedSince && pollMs > 0 ? cachedById(async (id) => (await source.configVersion(id)) ?? null, source.changedSince.bind(source), settings, source.versions) : undefined;
  return {
    /** The workspace's configuration version; undefined when there is no such workspace (never remembered). */
    versionOf: async (workspaceId: string): Promise<number | undefined> => (cache ? ((await cache.get(workspaceId)) ?? undefined) : source.configVersion(workspaceId)),
    stop: () => cache?.stop(),
  };
}
