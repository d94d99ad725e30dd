/**
 * Failed provider logins in MongoDB, so every worker behind one egress address shares one
 * login budget. Records older than a day are removed as new ones arrive (no TTL index: the
 * store must run on FerretDB too).
 */
import type { LoginFailureStore } from '../catalog/contract';
import type { Models } from './models';

const KEEP_MS = 24 * 3_600_000;

export function loginFailureRepository({ LoginFailure }: Models, egress: string): LoginFailureStore {
  return {
    async recent(provider, since) {
      const rows = await LoginFailure.find({ provider, egress, at: { $gte: since } })
        .sort({ at: 1 })
        .lean<{ fingerprint: string; at: Date }[]>();
      return rows.map(({ fingerprint, at }) => ({ fingerprint, at }));
    },
    async record(provider, fingerprint, at) {
      await LoginFailure.create({ provider, egress, fingerprint, at });
      await LoginFailure.deleteMany({ provider, egress, at: { $lt: new Date(at.getTime() - KEEP_MS) } });
    },
  };
}
