/**
 * Workspaces' configuration versions as incident reports need them: every report reads its
 * workspace's version (to tell the workflow about a change it may have missed), and a burst is a
 * thousand reads. Remembered like any record read by id (store/record-cache.ts): read once, then
 * forgotten when the change log names the workspace (a change through any API process reaches
 * this one within about two polls), after `ttlMs` (a process from before the change log logs
 * nothing), or while the feed does not answer. A change made through this process also signals
 * the workflow itself (configPublished), so a report that still carries the previous version
 * meanwhile changes nothing (the workflow ignores an older one). Without a feed (`pollMs` 0),
 * every report reads its version.
 */
import { DEFAULT_RECORD_CACHE, cachedById } from '../store/record-cache';

export interface VersionSource {
  configVersion(workspaceId: string): Promise<number | undefined>;
  /** Workspaces whose configuration changed at or after `since`. */
  changedSince?(since: Date): Promise<string[]>;
}

export function cachedConfigVersions(source: VersionSource, settings: Partial<typeof DEFAULT_RECORD_CACHE> = {}) {
  const { pollMs } = { ...DEFAULT_RECORD_CACHE, ...settings };
  const cache = source.changedSince && pollMs > 0 ? cachedById(async (id) => (await source.configVersion(id)) ?? null, source.changedSince.bind(source), settings) : undefined;
  return {
    /** The workspace's configuration version; undefined when there is no such workspace (never remembered). */
    versionOf: async (workspaceId: string): Promise<number | undefined> => (cache ? ((await cache.get(workspaceId)) ?? undefined) : source.configVersion(workspaceId)),
    stop: () => cache?.stop(),
  };
}
