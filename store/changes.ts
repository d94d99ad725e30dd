/**
 * The change log: a writer notes which document it is about to change (a key revoked, a
 * workspace's configuration, an integration), and the change feeds of every API and worker
 * process (store/change-feed.ts) read the entries of the last minute or so to forget what they
 * remember. Noted *before* the write: a feed that reads the entry before the write lands forgets
 * the document, may read the old one again, and forgets it once more at its next poll (every poll
 * reads the whole look-back window), so no cache keeps a value older than the write. Entries older
 * than ten minutes are removed by the API's periodic sweep (no TTL index: FerretDB has none).
 */
import type { Models } from './models';

export type ChangeKind = 'api_key' | 'workspace' | 'integration';

/** How long entries are kept: far longer than any feed's look-back. */
export const KEEP_CHANGES_MS = 10 * 60_000;

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
