/** The audit trail: append-only events per workspace, read newest first with a cursor. */
import type { Models } from './models';

export interface AuditEventInput {
  workspace: string;
  actor: string;
  action: string;
  integration?: string | null;
  incident?: string | null;
  outcome: 'ok' | 'failed' | 'requested';
  detail?: string;
  at?: Date;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, 'at'>> {
  id: string;
  at: Date;
}

type Raw = Omit<AuditEvent, 'id'> & { _id: { toString(): string } };

export function auditRepository({ AuditEvent }: Models) {
  return {
    async record(event: AuditEventInput): Promise<void> {
      await AuditEvent.create({ ...event, at: event.at ?? new Date() });
    },

    /** Newest first; `before` is the `id` of the last event of the previous page. */
    async list(workspace: string, options: { limit: number; before?: string }): Promise<{ events: AuditEvent[]; next: string | null }> {
      const filter: Record<string, unknown> = { workspace };
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
