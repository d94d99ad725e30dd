/**
 * The change log: a writer notes which document it is about to change (a key revoked, a
 * workspace's configuration, an integration), and the change feeds of every API and worker
 * process (store/change-feed.ts) read the entries of the last minute or so to forget what they
 * remember. Noted *before* the write: a feed that reads the entry before the write lands forgets
 * the document, may read the old one again, and forgets it once more at its next poll (every poll
 * reads the whole look-back window), so no cache keeps a value older than the write. Entries older
 * than two minutes (twice the feeds' look-back) are removed by every API process once a minute (no
 * TTL index: FerretDB has none): the feeds read the whole log, so it must stay small even after a
 * bulk change (the bench's 1,211 integrations, created in 20 s, left 2,400 entries that every poll
 * of every process read for ten minutes while they were kept that long).
 */
import { LOOKBACK_MS } from './change-feed';
import type { Models } from './models';

export type ChangeKind = 'api_key' | 'workspace' | 'integration';

/** How long entries are kept: twice the feeds' look-back (store/change-feed.ts). */
export const KEEP_CHANGES_MS = 2 * LOOKBACK_MS;
/** How often each API process removes older entries. */
export const PRUNE_CHANGES_EVERY_MS = 60_000;

export function changeLog({ Change }: Models) {
  return {
    async note(kind: ChangeKind, ref: string): Promise<void> {
      await Change.create({ kind, ref, at: new Date() });
    },

    /** What changed of one kind at or after `since` (the log is small: read whole, filtered here). */
    async since(kind: ChangeKind, since: Date): Promise<string[]> {
      const rows = await Change.find().select({ kind: 1, ref: 1, at: 1 }).lean<{ kind: string; ref: string; at: Date }[]>();
      return [...new Set(rows.filter((row) => row.kind === kind && row.at >= since).map((row) => row.ref))];
    },

    /** Removes entries older than KEEP_CHANGES_MS; returns how many. */
    async prune(now = new Date()): Promise<number> {
      return (await Change.deleteMany({ at: { $lt: new Date(now.getTime() - KEEP_CHANGES_MS) } })).deletedCount;
    },
  };
}

export type ChangeLog = ReturnType<typeof changeLog>;
