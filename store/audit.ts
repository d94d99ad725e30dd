/**
 * The audit trail: append-only events per workspace, read newest first with a cursor, optionally
 * filtered by action (exact, or a prefix), integration, actor and outcome: each filter an
 * equality or a range on an indexed field (store/models.ts), never a regular expression.
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import { issuesText } from '../catalog/zod-issues';
import { isDuplicateKey } from './errors';
import { INSERT_BATCHING, groupCommit } from './group-commit';
import type { Models } from './models';

/** How an audited action ended (the trail's `outcome`). */
export const AUDIT_OUTCOMES = ['ok', 'failed', 'requested'] as const;

export interface AuditEventInput {
  workspace: string;
  actor: string;
  action: string;
  integration?: string | null;
  incident?: string | null;
  outcome: (typeof AUDIT_OUTCOMES)[number];
  detail?: string;
  at?: Date;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, 'at'>> {
  id: string;
  at: Date;
}

type Raw = Omit<AuditEvent, 'id'> & { _id: { toString(): string } };

export interface AuditFilters {
  /** An action, or a prefix when it ends in `*` (`manual.*`, `divert*`). */
  action?: string;
  integration?: string;
  actor?: string;
  outcome?: AuditEventInput['outcome'];
}

/**
 * `divert*` as the range ['divert', 'diveru'): every string starting with `divert` and nothing
 * else, under the binary order MongoDB and FerretDB compare strings in, so an index serves it.
 */
export function actionFilter(action: string): string | { $gte: string; $lt: string } | undefined {
  if (!action.endsWith('*')) return action;
  const prefix = action.slice(0, -1);
  if (prefix === '') return undefined; // `*`: any action
  const last = prefix.charCodeAt(prefix.length - 1);
  return { $gte: prefix, $lt: `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}` };
}

/** A record as stored (store/models.ts keeps the collection's indexes): required fields non-empty, the optional ones defaulted. */
const auditRecord = z.object({
  workspace: z.string().min(1),
  actor: z.string().min(1),
  action: z.string().min(1),
  integration: z.string().nullable().default(null),
  incident: z.string().nullable().default(null),
  outcome: z.enum(AUDIT_OUTCOMES),
  detail: z.string().default(''),
  at: z.date(),
});

export function auditRepository({ AuditEvent }: Models) {
  // Group-committed like incident reports (store/group-commit.ts): alone when the database keeps up,
  // a few batched writes instead of one per diversion under a burst.
  const insert = groupCommit<Record<string, unknown>>(async (docs) => {
    await AuditEvent.collection.insertMany(docs, { ordered: false });
  }, INSERT_BATCHING);
  return {
    /**
     * Validated (defaults, required fields, outcome), then written; its id orders it in the trail. Validated
     * with zod, not as a mongoose document: building and validating one cost the worker about 0.15 ms of
     * its main thread per operation (profiled, twentieth session), on the attack path.
     */
    async record(event: AuditEventInput): Promise<void> {
      const parsed = auditRecord.safeParse({ ...event, at: event.at ?? new Date() });
      if (!parsed.success) throw new Error(`invalid audit record: ${issuesText(parsed.error.issues)}`);
      // A batch written in part is written again one by one: a record already there was written.
      await insert({ _id: new Types.ObjectId(), ...parsed.data }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    },

    /** Newest first; `before` is the `id` of the last event of the previous page (of the same filters). */
    async list(workspace: string, options: { limit: number; before?: string } & AuditFilters): Promise<{ events: AuditEvent[]; next: string | null }> {
      const filter: Record<string, unknown> = { workspace };
      const action = options.action ? actionFilter(options.action) : undefined;
      if (action !== undefined) filter.action = action;
      for (const field of ['integration', 'actor', 'outcome'] as const) if (options[field]) filter[field] = options[field];
      if (options.before) filter._id = { $lt: options.before };
      const rows = await AuditEvent.find(filter)
        .sort({ _id: -1 })
        .limit(options.limit + 1)
        .lean<Raw[]>();
      const events = rows.slice(0, options.limit).map(({ _id, ...rest }) => ({ id: _id.toString(), ...rest }));
      return { events, next: rows.length > options.limit ? (events[events.length - 1]?.id ?? null) : null };
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
