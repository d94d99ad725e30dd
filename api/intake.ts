/**
 * Incident intake: an authenticated, valid report is sent to the workspace's workflow at once;
 * the API answers once Temporal has it, or once it is kept in MongoDB (the outbox), whichever
 * comes first. A report Temporal takes within `keepAfterMs` is never written to the outbox (its
 * history keeps it); one it does not take in that time, or refuses, is kept, and delivered by the
 * delivery loop as soon as Temporal can take it (the loop also picks up what an earlier process
 * left behind). The incident record is written for every report. The answer is always 202: `delivered` or `queued`. Reports of one workspace are
 * delivered oldest first; one delivered twice is harmless (the workflow is idempotent on
 * incident IDs, and a start after its resolve is ignored). Bounded per workspace (429 beyond).
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { IncidentReport, IncidentReportRepository, QueuedReport } from '../store/incident-reports';
import type { Logger } from '../telemetry/logger';
import { isDuplicateKey } from '../store/errors';
import { HttpError } from './http-errors';
import { LATE, byDeadline } from './scrubbing-service';
import { MAX_ACTIVE_INCIDENTS } from '../workflows/state';

export const DEFAULT_INTAKE = {
  /** Undelivered reports a workspace may have; beyond, 429. */
  maxQueuedPerWorkspace: 10_000,
  /** Active incidents a workspace may have (the workflow's own cap); a start beyond is a 429 `incident_limit`. */
  maxActiveIncidents: MAX_ACTIVE_INCIDENTS,
  /** How long a request waits for its report to reach the workflow before answering `queued`. */
  deliveryWaitMs: 2_000,
  /**
   * A report Temporal has not confirmed after this long is written to the outbox (one it confirms
   * sooner costs no outbox write and no removal). The answer waits for the delivery or the write;
   * one Temporal refuses is written at once. By default as long as the answer waits
   * (`deliveryWaitMs`, when only that is set): the entry is written only for a report the answer
   * is about to call `queued`, which then comes a write later. Under a burst that saturates the
   * machine, signals take one to five seconds, and at 1 s (before the fifteenth session) 400 to 700
   * reports of a 1,000-workspace wave were written and removed again, while the store and the
   * API's event loop were busiest, which made the signals slower still.
   */
  keepAfterMs: 2_000,
  /**
   * How often the delivery loop looks for reports left behind (another process, a restart): while
   * this process has none waiting, and while it has (then its own rounds, every 200 ms, read only
   * the workspaces it knows of).
   */
  idlePollMs: 5_000,
  /** Workspaces delivered to at once by the loop. */
  concurrency: 16,
  /** After failed deliveries the loop retries after 250 ms, doubling up to this. */
  retryMaxMs: 5_000,
};

export type IntakeSettings = typeof DEFAULT_INTAKE;

/** Delivered reports are removed in one write per this interval. */
const REMOVAL_BATCH_MS = 200;

export type IntakeAnswer = { delivery: 'delivered' } | { delivery: 'queued'; queuedReports: number; reason: string };

export interface IntakeDependencies {
  reports: IncidentReportRepository;
  /**
   * Sends one report to the workspace's workflow (signal-with-start); throws when Temporal did not
   * take it. A workspace's reports must reach it in the order they were handed over, and when one
   * fails, those handed over behind it must fail too (the scrubbing service's signal lanes do).
   */
  deliver(workspace: string, report: IncidentReport, configVersion?: number): Promise<void>;
  /**
   * Keeps the incident record (which incidents are active, for a run that starts without a
   * predecessor); written beside the outbox entry, before the answer.
   */
  record?(workspace: string, report: IncidentReport): Promise<void>;
  /** How many incidents of the workspace the incident record holds as active (for `maxActiveIncidents`). */
  activeIncidents?(workspace: string): Promise<number>;
  /**
   * Active incidents of every workspace with any, in one pass (the census): counts workspaces that
   * are not near their limit, so a burst across a thousand workspaces costs one count, not a thousand.
   */
  activeIncidentCensus?(): Promise<Map<string, number>>;
  /** A start was refused at `maxActiveIncidents` (the first of a run of refusals): for the audit trail. */
  onIncidentLimit?(workspace: string, message: string): Promise<void>;
  /** A delivery error that means the report can never be delivered (the workspace is gone): dropped, logged. */
  isPermanent(err: unknown): boolean;
  logger: Logger;
  registry?: Registry;
  settings?: Partial<IntakeSettings>;
}

export function createIncidentIntake(deps: IntakeDependencies) {
  const settings: IntakeSettings = { ...DEFAULT_INTAKE, keepAfterMs: deps.settings?.deliveryWaitMs ?? DEFAULT_INTAKE.keepAfterMs, ...deps.settings };
  const { reports, logger } = deps;

  /** Reports being delivered by this process (by a request or the loop): the loop never sends one twice at once. */
  const inFlight = new Set<string>();
  /** Workspaces with undelivered reports, as this process knows them, and how many. */
  const backlog = new Map<string, number>();
  /** Until then a delivery just failed: new reports are queued without waiting. */
  let failingUntil = 0;
  let failures = 0;
  const requestDeliveries = new Set<Promise<unknown>>();

  /** A counter on the API's registry (none without one). */
  const counter = (name: string, help: string, label: string) => (deps.registry ? new Counter({ name, help, labelNames: [label], registers: [deps.registry] }) : undefined);
  const accepted = counter('scrubbing_intake_reports_total', 'Incident reports accepted, by how the API answered (delivered, queued) or refused (queue_full)', 'outcome');
  const kept = counter(
    'scrubbing_intake_outbox_writes_total',
    'Incident reports written to the outbox before the answer, by why: slow (Temporal had not confirmed it in time), refused (Temporal refused it), behind (the workspace already had reports waiting, or Temporal had just failed)',
    'reason',
  );
  const delivered = counter('scrubbing_intake_deliveries_total', 'Queued incident reports the delivery loop sent, by result', 'result');
  if (deps.registry) {
    // Read when scraped: what every API process has left undelivered, from MongoDB.
    const snapshot = () => reports.totals().catch(() => ({ queued: NaN, oldestAt: null }));
    let last: Promise<{ queued: number; oldestAt: Date | null }> | undefined;
    const once = () => (last ??= snapshot().finally(() => setTimeout(() => (last = undefined), 500)));
    new Gauge({
      name: 'scrubbing_intake_queued_reports',
      help: 'Incident reports accepted and not yet delivered to their workflow (all workspaces)',
      registers: [deps.registry],
      async collect() {
        this.set((await once()).queued);
      },
    });
    new Gauge({
      name: 'scrubbing_intake_oldest_queued_seconds',
      help: 'Age of the oldest undelivered incident report (0 when none waits)',
      registers: [deps.registry],
      async collect() {
        const { oldestAt } = await once();
        this.set(oldestAt ? Math.max(0, (Date.now() - oldestAt.getTime()) / 1000) : 0);
      },
    });
  }

  const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

  /**
   * Active incidents per workspace as the incident record last counted them, plus the starts
   * accepted since (duplicates included, so it errs high until the next count). Counted in the
   * background, never on the request's path: every 30 s, and once a second once within a tenth
   * of the limit, so a flood costs a count a second, not one per report. With a census, the
   * 30-second counts of every workspace are one census (at most one every 30 s, when reports
   * arrive); a workspace within a tenth of its limit is still counted alone every second. Until
   * the first count arrives starts are taken; the workflow's own cap refuses any that slip past.
   */
  const activeSeen = new Map<string, { count: number; at: number; counting: boolean; refusing: boolean }>();
  let census: { counts: Map<string, number>; at: number } | undefined;
  let censusRunning = false;
  function takeCensus(): void {
    if (!deps.activeIncidentCensus || censusRunning || Date.now() - (census?.at ?? 0) < 30_000) return;
    censusRunning = true;
    void deps
      .activeIncidentCensus()
      .then((counts) => {
        census = { counts, at: Date.now() };
        for (const [workspace, entry] of activeSeen) if (!entry.counting) Object.assign(entry, { count: counts.get(workspace) ?? 0, at: census.at });
      })
      .catch(() => undefined) // the database is away: taken again at the next report
      .finally(() => (censusRunning = false));
  }
  async function checkIncidentLimit(workspace: string): Promise<void> {
    if (!deps.activeIncidents) return;
    const max = settings.maxActiveIncidents;
    let seen = activeSeen.get(workspace);
    if (!seen) {
      if (activeSeen.size >= 10_000) activeSeen.clear(); // bounded; counted again when next needed
      const known = census ? { count: census.counts.get(workspace) ?? 0, at: census.at } : { count: 0, at: 0 };
      activeSeen.set(workspace, (seen = { ...known, counting: false, refusing: false }));
    }
    const entry = seen;
    const near = entry.count >= max * 0.9;
    if (!near && deps.activeIncidentCensus) takeCensus();
    else if (!entry.counting && Date.now() - entry.at >= (near ? 1_000 : 30_000)) {
      entry.counting = true;
      void deps
        .activeIncidents(workspace)
        .then((count) => Object.assign(entry, { count, at: Date.now() }))
        .catch(() => undefined) // the database is away: counted again at the next report
        .finally(() => (entry.counting = false));
    }
    if (entry.count >= max) {
      accepted?.inc({ outcome: 'incident_limit' });
      const message = `the workspace has ${entry.count} active incidents, its limit is ${max}: resolve some, or retry later`;
      if (!entry.refusing) {
        entry.refusing = true;
        await deps.onIncidentLimit?.(workspace, message).catch((err: unknown) => logger.warn({ workspace, error: describe(err) }, 'the incident limit could not be audited'));
      }
      throw new HttpError(429, 'incident_limit', message, [{ field: 'workspace', message: 'too many active incidents' }]);
    }
    entry.refusing = false;
    entry.count++;
  }

  function deliveryFailed(): void {
    if (Date.now() < failingUntil) return; // the same outage (reports sent together fail together)
    failures++;
    failingUntil = Date.now() + Math.min(settings.retryMaxMs, 125 * 2 ** Math.min(failures, 10));
  }

  /**
   * Delivers one report; true when it reached the workflow (or can never reach it and was
   * dropped). `storing` is the write that keeps it (a request's report: none while Temporal
   * answers in time, else the write started beside the delivery): the outbox entry is removed or
   * marked only once it exists, and not at all when it was never written. `decided` resolves once
   * the request has decided whether to write it (at once for the loop's reports, already kept).
   */
  async function deliverStored(
    report: QueuedReport,
    configVersion?: number,
    storing: () => Promise<unknown> | undefined = () => Promise.resolve(),
    decided: Promise<void> = Promise.resolve(),
  ): Promise<boolean> {
    // What happens to the outbox entry once it exists; the answer does not wait for it.
    const afterKept = (then: () => Promise<unknown> | void, neverWritten?: () => void) => {
      const done = decided
        .then(() => {
          const written = storing();
          if (written) return written.then(then, () => undefined);
          neverWritten?.();
        })
        .catch(() => undefined);
      bookkeeping.add(done);
      void done.finally(() => bookkeeping.delete(done));
    };
    inFlight.add(report.id);
    try {
      await deps.deliver(report.workspace, { kind: report.kind, payload: report.payload }, configVersion);
    } catch (err) {
      if (deps.isPermanent(err)) {
        logger.warn({ workspace: report.workspace, kind: report.kind, error: describe(err) }, 'an incident report can never be delivered; dropped');
        afterKept(() => reports.remove(report.id));
        return true;
      }
      deliveryFailed();
      afterKept(() => reports.failed(report.id, describe(err)));
      return false;
    } finally {
      inFlight.delete(report.id);
    }
    failures = 0;
    failingUntil = 0;
    sent.add(report.id); // the loop never sends it again
    afterKept(
      () => removeLater(report.id),
      () => sent.delete(report.id),
    );
    return true;
  }

  /** Writes that follow a delivery (removal, failure count); stop() waits for them. */
  const bookkeeping = new Set<Promise<unknown>>();
  /** Delivered reports: skipped by the loop until they are removed (together, one write per batch). */
  const sent = new Set<string>();
  const toRemove = new Set<string>();
  let flushing: NodeJS.Timeout | undefined;
  function removeLater(id: string): void {
    toRemove.add(id);
    flushing ??= setTimeout(() => void flushRemovals(), REMOVAL_BATCH_MS);
  }
  async function flushRemovals(): Promise<void> {
    flushing = undefined;
    const ids = [...toRemove];
    if (ids.length === 0) return;
    for (const id of ids) toRemove.delete(id);
    try {
      await reports.removeMany(ids);
    } catch (err) {
      // Delivered; they will be delivered again later, which is harmless.
      logger.warn({ count: ids.length, error: describe(err) }, 'delivered incident reports could not be removed');
    } finally {
      for (const id of ids) sent.delete(id);
    }
  }

  /**
   * Per workspace, its reports whose request answered `queued` and is still delivering them (Temporal
   * slow): the loop leaves them to that delivery, which pokes it when it ends.
   */
  const lateDeliveries = new Map<string, number>();
  function deliveringLate(workspace: string, delivery: Promise<boolean>): void {
    lateDeliveries.set(workspace, (lateDeliveries.get(workspace) ?? 0) + 1);
    void delivery.then((ok) => {
      const left = (lateDeliveries.get(workspace) ?? 1) - 1;
      if (left > 0) lateDeliveries.set(workspace, left);
      else lateDeliveries.delete(workspace);
      if (ok) forget(workspace);
      poke();
    });
  }

  function forget(workspace: string, count = 1): void {
    const left = (backlog.get(workspace) ?? count) - count;
    if (left > 0) backlog.set(workspace, left);
    else backlog.delete(workspace);
  }

  /**
   * Writes the outbox entry and the incident record, each tried up to three times (both are
   * idempotent: the entry has its id, the record is an upsert). Seen in the bench: a few writes
   * of a 1,000-report burst failed with an error that was not an outage. A report that could not
   * be kept is a 503 (the detector retries), never a 500.
   */
  const keepEntry = (workspace: string, report: IncidentReport, id: string, receivedAt: Date) => attempt(workspace, () => reports.add(workspace, report, id, receivedAt), true);
  const keepRecord = (workspace: string, report: IncidentReport) => (deps.record ? attempt(workspace, () => deps.record!(workspace, report), false) : Promise.resolve());
  async function keep(workspace: string, report: IncidentReport, id: string): Promise<void> {
    await Promise.all([keepEntry(workspace, report, id, new Date()), keepRecord(workspace, report)]);
  }
  async function attempt(workspace: string, write: () => Promise<unknown>, duplicateIsDone: boolean): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await write();
        return;
      } catch (err) {
        if (duplicateIsDone && isDuplicateKey(err)) return; // an earlier try was written
        if (tries >= 3) {
          logger.warn({ workspace, error: describe(err) }, 'an incident report could not be kept');
          throw new HttpError(503, 'database_unavailable', 'the database did not keep the report; try again');
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * tries));
      }
    }
  }

  // The delivery loop.
  let stopped = false;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();

  /** One workspace's queue, oldest first, until it is empty or a delivery fails (false). */
  async function drain(workspace: string): Promise<boolean> {
    for (;;) {
      const page = await reports.pendingFor(workspace, 100);
      const pending = page.filter((report) => !sent.has(report.id)); // not those delivered and about to be removed
      if (pending.length === 0) {
        if (page.length < 100) backlog.delete(workspace); // else: look again once the removals are written
        return true;
      }
      // Up to the first that a request is delivering right now (later ones wait, so the order holds).
      const busy = pending.findIndex((report) => inFlight.has(report.id));
      const next = busy === -1 ? pending : pending.slice(0, busy);
      if (stopped) return true;
      // Sent together, in order: the scrubbing service puts reports of one workspace in as few
      // signals as it can, and a failed one fails those behind it, so none overtakes it.
      const outcomes = await Promise.all(next.map((report) => deliverStored(report)));
      for (const ok of outcomes) {
        delivered?.inc({ result: ok ? 'delivered' : 'failed' });
        if (!ok) return false;
        forget(workspace);
      }
      if (busy !== -1) return true;
    }
  }

  /** When the loop last read the whole outbox (`oldest`). */
  let scannedAt = -Infinity;

  async function round(): Promise<void> {
    // Workspaces this process queued for, and any another process (or an earlier run) left. Not those
    // whose every waiting report a request of this process is still delivering, nor reports being
    // delivered or delivered and about to be removed: the loop has nothing to send there, and under a
    // burst reading each such workspace's queue every round cost hundreds of reads a second.
    const workspaces = new Set<string>();
    for (const [workspace, waiting] of backlog) if ((lateDeliveries.get(workspace) ?? 0) < waiting) workspaces.add(workspace);
    // What others left is looked for every `idlePollMs`, not every round: under a burst the rounds come
    // every 200 ms, and on FerretDB (which sorts in its own process) each read of the whole outbox
    // fetched and sorted every entry.
    if (Date.now() - scannedAt >= settings.idlePollMs) {
      scannedAt = Date.now();
      for (const report of await reports.oldest(500)) if (!inFlight.has(report.id) && !sent.has(report.id)) workspaces.add(report.workspace);
    }
    const queue = [...workspaces];
    // After a failure, one workspace probes first: while Temporal is away, a round costs one call, not one per workspace.
    if (failures > 0 && queue.length > 0 && !(await drain(queue.shift()!))) return;
    let failed = false;
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && !stopped && !failed; next = queue.shift()) {
        if (!(await drain(next))) failed = true; // Temporal refused one: wait before trying the rest
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, queue.length) }, worker));
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await round();
      } catch (err) {
        deliveryFailed();
        logger.warn({ error: describe(err) }, 'incident delivery round failed');
      }
      if (stopped) break;
      const waitMs = backlog.size > 0 ? Math.max(200, failingUntil - Date.now()) : settings.idlePollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    /**
     * Sends the report and answers once it is delivered or kept: kept in the outbox when Temporal
     * has not confirmed it within `keepAfterMs` or refused it, delivered by the loop when it was
     * not confirmed within `deliveryWaitMs` (`queued`), and kept at once (`queued`) while the
     * workspace has a backlog or Temporal has just failed. Throws 429 when the
     * workspace already has its maximum of undelivered reports (`intake_queue_full`) or, for a
     * start, of active incidents (`incident_limit`), and 503 `database_unavailable`
     * when the report was neither kept nor delivered. Anything else is a 202.
     */
    async accept(workspace: string, report: IncidentReport, configVersion?: number): Promise<IntakeAnswer> {
      if (report.kind === 'started') await checkIncidentLimit(workspace);
      else {
        const seen = activeSeen.get(workspace);
        if (seen && seen.count > 0) seen.count--;
      }
      const waiting = backlog.get(workspace);
      if (waiting !== undefined || Date.now() < failingUntil) {
        const queued = waiting ?? (await reports.queueOf(workspace)).queued;
        if (queued >= settings.maxQueuedPerWorkspace) {
          accepted?.inc({ outcome: 'queue_full' });
          throw new HttpError(429, 'intake_queue_full', `the workspace already has ${queued} incident reports waiting for Temporal (the limit is ${settings.maxQueuedPerWorkspace}); retry later`, [
            { field: 'workspace', message: 'too many undelivered incident reports' },
          ]);
        }
        await keep(workspace, report, reports.newId());
        kept?.inc({ reason: 'behind' });
        backlog.set(workspace, queued + 1);
        poke();
        accepted?.inc({ outcome: 'queued' });
        return { delivery: 'queued', queuedReports: queued + 1, reason: waiting === undefined ? 'Temporal did not take the last report' : 'earlier reports of this workspace are still waiting' };
      }

      // Sent at once, the incident record written beside it; the outbox entry only if Temporal is slow
      // or refuses: the answer waits for the delivery or the entry, and for the record.
      const id = reports.newId();
      const receivedAt = new Date();
      const recording = keepRecord(workspace, report);
      recording.catch(() => undefined); // read below; never an unhandled rejection while the delivery is awaited
      let storing: Promise<void> | undefined;
      let decide!: () => void;
      const decided = new Promise<void>((resolve) => (decide = resolve));
      const stored: QueuedReport = { ...report, id, workspace, receivedAt, attempts: 0, lastError: null };
      const delivery = deliverStored(stored, configVersion, () => storing, decided);
      requestDeliveries.add(delivery);
      void delivery.finally(() => requestDeliveries.delete(delivery));
      const deadline = Date.now() + settings.deliveryWaitMs;
      const quick = await byDeadline(delivery, Date.now() + Math.min(settings.keepAfterMs, settings.deliveryWaitMs));
      if (quick !== true) {
        storing = keepEntry(workspace, report, id, receivedAt);
        storing.then(
          () => kept?.inc({ reason: quick === LATE ? 'slow' : 'refused' }),
          () => undefined,
        ); // its error is read below
      }
      decide();
      const [outcome, keptError] = await Promise.all([
        quick === true ? true : byDeadline(delivery, deadline),
        Promise.all([recording, storing]).then(
          () => undefined,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        ),
      ]);
      // Neither delivered nor kept (MongoDB is away): not accepted; the detector should retry.
      if (keptError !== undefined && outcome !== true) throw keptError;
      if (outcome === true) {
        accepted?.inc({ outcome: 'delivered' });
        return { delivery: 'delivered' };
      }
      // Still being delivered (Temporal is slow), or it failed and waits for the loop: either way the
      // workspace has a backlog now, so its next reports queue behind this one.
      const queuedReports = (backlog.get(workspace) ?? 0) + 1;
      backlog.set(workspace, queuedReports);
      if (outcome === LATE) deliveringLate(workspace, delivery);
      else poke();
      accepted?.inc({ outcome: 'queued' });
      return {
        delivery: 'queued',
        queuedReports,
        reason: outcome === LATE ? `Temporal did not confirm it within ${settings.deliveryWaitMs} ms; still being delivered` : 'Temporal did not take it; retried until it does',
      };
    },

    /** What waits for the workspace's workflow (the state view shows it). */
    queueOf: (workspace: string) => reports.queueOf(workspace),

    /** Stops the delivery loop after the deliveries under way; what is left stays stored for the next process. */
    async stop(): Promise<void> {
      stopped = true;
      poke();
      await loop;
      await Promise.allSettled([...requestDeliveries]);
      await Promise.allSettled([...bookkeeping]);
      clearTimeout(flushing);
      await flushRemovals();
    },
  };
}

export type IncidentIntake = ReturnType<typeof createIncidentIntake>;
