/**
 * Workspaces' configuration versions as incident reports need them: every report reads its
 * workspace's version (to tell the workflow about a change it may have missed), and a burst is a
 * thousand reads. A version read is remembered; the change feed (store/change-feed.ts) reads the
 * change log every `pollMs` and forgets the versions of workspaces changed lately, through any API
 * process, so a change made elsewhere reaches this process within about two polls. While the
 * feed does not answer, every report reads again. A change made through this process also
 * signals the workflow itself (configPublished), so a report that still carries the previous
 * version meanwhile changes nothing (the workflow ignores an older one).
 */
import { pollChanges } from '../store/change-feed';

export const DEFAULT_VERSION_CACHE = { pollMs: 2_000, maxEntries: 10_000, ttlMs: 300_000 };

export interface VersionSource {
  configVersion(workspaceId: string): Promise<number | undefined>;
  /** Workspaces whose configuration changed at or after `since`. */
  changedSince?(since: Date): Promise<string[]>;
}

export function cachedConfigVersions(source: VersionSource, settings: Partial<typeof DEFAULT_VERSION_CACHE> = {}) {
  const { pollMs, maxEntries, ttlMs } = { ...DEFAULT_VERSION_CACHE, ...settings };
  /** Each remembered version, and until when (a change the log never got, from a process of an older version, is read after `ttlMs`). */
  const versions = new Map<string, { version: number; until: number }>();
  const feed =
    source.changedSince && pollMs > 0
      ? pollChanges(source.changedSince.bind(source), { onChanges: (ids) => ids.forEach((id) => versions.delete(id)), onGap: () => versions.clear() }, pollMs)
      : undefined;
  return {
    /** The workspace's configuration version; undefined when there is no such workspace (never remembered). */
    async versionOf(workspaceId: string): Promise<number | undefined> {
      const now = Date.now();
      const known = versions.get(workspaceId);
      if (known && known.until > now && feed?.trusted()) return known.version;
      const version = await source.configVersion(workspaceId);
      if (version !== undefined && feed) {
        if (!versions.has(workspaceId) && versions.size >= maxEntries) versions.delete(versions.keys().next().value as string);
        versions.set(workspaceId, { version, until: now + ttlMs });
      }
      return version;
    },
    stop: () => feed?.stop(),
  };
}
