/**
 * The intake's delivery order and failure handling, on an in-memory outbox and a scripted
 * Temporal: a workspace's reports go oldest first and never overtake one that failed; a report
 * that can never be delivered is dropped; a workspace with a backlog queues new reports behind it.
 */
import { Registry } from 'prom-client';
import { createIncidentIntake } from '../../api/intake';
import type { IncidentReport, IncidentReportRepository, QueuedReport } from '../../store/incident-reports';
import { createLogger } from '../../telemetry/logger';

function memoryOutbox() {
  const rows: QueuedReport[] = [];
  let next = 0;
  const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  const repo: IncidentReportRepository = {
    newId: () => String(++next).padStart(24, '0'),
    add: (workspace, report, id = String(++next).padStart(24, '0'), receivedAt = new Date()) => {
      rows.push({ ...report, id, workspace, receivedAt, attempts: 0, lastError: null });
      return later(id);
    },
    remove: (id) => {
      const at = rows.findIndex((r) => r.id === id);
      if (at >= 0) rows.splice(at, 1);
      return later(undefined);
    },
    removeMany: (ids) => {
      for (const id of ids) {
        const at = rows.findIndex((r) => r.id === id);
        if (at >= 0) rows.splice(at, 1);
      }
      return later(undefined);
    },
    failed: (id, error) => {
      const row = rows.find((r) => r.id === id);
      if (row) Object.assign(row, { attempts: row.attempts + 1, lastError: error });
      return later(undefined);
    },
    oldest: (limit) => later(rows.slice(0, limit)),
    pendingFor: (workspace, limit) => later(rows.filter((r) => r.workspace === workspace).slice(0, limit)),
    queueOf: (workspace) => {
      const mine = rows.filter((r) => r.workspace === workspace);
      return later({ queued: mine.length, oldestAt: mine[0]?.receivedAt ?? null });
    },
    totals: () => later({ queued: rows.length, oldestAt: rows[0]?.receivedAt ?? null }),
  };
  return { repo, rows };
}

/**
 * A scripted Temporal with the scrubbing service's ordering: a workspace's reports are sent in
 * the order they were handed over, and when one fails, those handed over behind it fail too.
 */
function inOrder(send: (ws: string, report: IncidentReport) => Promise<void>) {
  const tails = new Map<string, Promise<void>>();
  return (ws: string, report: IncidentReport): Promise<void> => {
    const mine = (tails.get(ws) ?? Promise.resolve()).then(() => send(ws, report));
    tails.set(ws, mine);
    mine.catch(() => (tails.get(ws) === mine ? tails.delete(ws) : undefined));
    return mine;
  };
}

const started = (incidentId: string): IncidentReport => ({ kind: 'started', payload: { incidentId } });
const logger = createLogger('test', { LOG_LEVEL: 'silent' });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

test('while Temporal refuses, reports are kept; once it takes them, each workspace gets its own oldest first', async () => {
  const { repo, rows } = memoryOutbox();
  const delivered: string[] = [];
  let up = false;
  const intake = createIncidentIntake({
    reports: repo,
    deliver: inOrder((ws, report) => {
      if (!up) return Promise.reject(new Error('UNAVAILABLE'));
      delivered.push(`${ws}:${report.payload.incidentId}`);
      return Promise.resolve();
    }),
    isPermanent: () => false,
    logger,
    settings: { deliveryWaitMs: 50, idlePollMs: 20, retryMaxMs: 100 },
  });
  try {
    const answers = [];
    for (const id of ['a1', 'a2', 'a3']) answers.push(await intake.accept('a', started(id)));
    answers.push(await intake.accept('b', started('b1')));
    expect(answers.map((a) => a.delivery)).toEqual(['queued', 'queued', 'queued', 'queued']);
    expect(answers[2]).toMatchObject({ queuedReports: 3 });
    expect(rows).toHaveLength(4);
    up = true;
    await until(() => rows.length === 0);
    expect(delivered.filter((d) => d.startsWith('a:'))).toEqual(['a:a1', 'a:a2', 'a:a3']);
    expect(delivered).toContain('b:b1');
    expect(await intake.accept('a', started('a4'))).toEqual({ delivery: 'delivered' });
  } finally {
    await intake.stop();
  }
});

test('a report that fails is retried before any later one of its workspace, and the queue cap holds', async () => {
  const { repo, rows } = memoryOutbox();
  const delivered: string[] = [];
  let failFirst = 3;
  const intake = createIncidentIntake({
    reports: repo,
    deliver: inOrder((_ws, report) => {
      if (report.payload.incidentId === 'x1' && failFirst-- > 0) return Promise.reject(new Error('DEADLINE_EXCEEDED'));
      delivered.push(report.payload.incidentId);
      return Promise.resolve();
    }),
    isPermanent: () => false,
    logger,
    settings: { deliveryWaitMs: 50, idlePollMs: 20, retryMaxMs: 100, maxQueuedPerWorkspace: 3 },
  });
  try {
    expect((await intake.accept('x', started('x1'))).delivery).toBe('queued');
    expect((await intake.accept('x', started('x2'))).delivery).toBe('queued');
    expect((await intake.accept('x', started('x3'))).delivery).toBe('queued');
    await expect(intake.accept('x', started('x4'))).rejects.toMatchObject({ status: 429, code: 'intake_queue_full' });
    await until(() => rows.length === 0);
    expect(delivered).toEqual(['x1', 'x2', 'x3']);
  } finally {
    await intake.stop();
  }
});

test('a report that can never be delivered (its workspace is gone) is dropped, not retried forever', async () => {
  const { repo, rows } = memoryOutbox();
  await repo.add('gone', started('g1'));
  const intake = createIncidentIntake({
    reports: repo,
    deliver: () => Promise.reject(Object.assign(new Error('workspace not found'), { permanent: true })),
    isPermanent: (err) => (err as { permanent?: boolean }).permanent === true,
    logger,
    settings: { idlePollMs: 20 },
  });
  try {
    await until(() => rows.length === 0);
  } finally {
    await intake.stop();
  }
});

test('while MongoDB is away, a report Temporal took is still 202 delivered; one neither kept nor delivered is refused (the detector retries)', async () => {
  const { repo } = memoryOutbox();
  const databaseDown = Object.assign(new Error('connection closed'), { name: 'MongoNetworkError' });
  let temporalUp = true;
  const intake = createIncidentIntake({
    reports: { ...repo, add: () => Promise.reject(databaseDown), failed: () => Promise.reject(databaseDown), remove: () => Promise.reject(databaseDown) },
    deliver: () => (temporalUp ? Promise.resolve() : Promise.reject(new Error('UNAVAILABLE'))),
    isPermanent: () => false,
    logger,
    settings: { deliveryWaitMs: 50, idlePollMs: 20, retryMaxMs: 100 },
  });
  try {
    expect(await intake.accept('m', started('m1'))).toEqual({ delivery: 'delivered' });
    temporalUp = false;
    await expect(intake.accept('m', started('m2'))).rejects.toMatchObject({ status: 503, code: 'database_unavailable' });
  } finally {
    await intake.stop();
  }
});

test('a write that fails once with an unexpected error is tried again: the report is kept, not refused with a 500', async () => {
  const { repo, rows } = memoryOutbox();
  let failNext = true;
  const intake = createIncidentIntake({
    reports: {
      ...repo,
      add: (...args: Parameters<typeof repo.add>) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(Object.assign(new Error('could not serialize access'), { name: 'MongoServerError' }));
        }
        return repo.add(...args);
      },
    },
    deliver: () => Promise.reject(new Error('UNAVAILABLE')),
    isPermanent: () => false,
    logger,
    settings: { deliveryWaitMs: 50, idlePollMs: 60_000, retryMaxMs: 60_000 },
  });
  try {
    expect(await intake.accept('r', started('r1'))).toMatchObject({ delivery: 'queued' });
    expect(rows.map((r) => r.payload)).toEqual([{ incidentId: 'r1' }]);
  } finally {
    await intake.stop();
  }
});

test('a start beyond the active-incident limit is a 429 incident_limit naming the workspace, audited once; a resolve makes room', async () => {
  const { repo } = memoryOutbox();
  const audited: string[] = [];
  let counted = 0;
  const intake = createIncidentIntake({
    reports: repo,
    deliver: () => Promise.resolve(),
    activeIncidents: () => {
      counted++;
      return Promise.resolve(3); // what the incident record holds
    },
    onIncidentLimit: (ws, message) => Promise.resolve(void audited.push(`${ws}: ${message}`)),
    isPermanent: () => false,
    logger,
    settings: { maxActiveIncidents: 3 },
  });
  try {
    // The count is taken in the background: the first start does not wait for it.
    expect(await intake.accept('w', started('a'))).toEqual({ delivery: 'delivered' });
    await until(() => counted === 1);
    await new Promise((resolve) => setImmediate(resolve));
    for (const id of ['b', 'c']) {
      await expect(intake.accept('w', started(id))).rejects.toMatchObject({
        status: 429,
        code: 'incident_limit',
        details: [{ field: 'workspace', message: 'too many active incidents' }],
      });
    }
    expect(audited).toEqual(['w: the workspace has 3 active incidents, its limit is 3: resolve some, or retry later']);
    expect(await intake.accept('other', started('x'))).toEqual({ delivery: 'delivered' }); // another workspace is not affected
    expect(await intake.accept('w', { kind: 'resolved', payload: { incidentId: 'a' } })).toEqual({ delivery: 'delivered' });
    expect(await intake.accept('w', started('d'))).toEqual({ delivery: 'delivered' });
    expect(counted).toBe(2); // w once, other once: not one count per report
  } finally {
    await intake.stop();
  }
});

test('a report Temporal takes at once costs no outbox write; one it takes late is kept first and removed once delivered; the incident record is written for both', async () => {
  const { repo, rows } = memoryOutbox();
  const added: string[] = [];
  const recorded: string[] = [];
  const releases: (() => void)[] = [];
  let slow = false;
  const intake = createIncidentIntake({
    reports: { ...repo, add: (ws, report, id, at) => (added.push(report.payload.incidentId), repo.add(ws, report, id, at)) },
    record: (_ws, report) => (recorded.push(report.payload.incidentId), Promise.resolve()),
    deliver: () => (slow ? new Promise<void>((resolve) => releases.push(resolve)) : Promise.resolve()),
    isPermanent: () => false,
    logger,
    settings: { keepAfterMs: 20, deliveryWaitMs: 2_000, idlePollMs: 60_000 },
  });
  try {
    expect(await intake.accept('fast', started('f1'))).toEqual({ delivery: 'delivered' });
    expect(added).toEqual([]);
    slow = true;
    const answer = intake.accept('slow', started('s1'));
    // Not confirmed within keepAfterMs: the entry is written while the delivery goes on.
    await until(() => rows.length === 1);
    expect(rows[0]).toMatchObject({ workspace: 'slow', payload: { incidentId: 's1' } });
    releases.shift()!();
    expect(await answer).toEqual({ delivery: 'delivered' });
    await until(() => rows.length === 0);
    expect({ added, recorded }).toEqual({ added: ['s1'], recorded: ['f1', 's1'] });
  } finally {
    await intake.stop();
  }
});

test('by default a report is written to the outbox only when the answer can wait no longer: one Temporal confirms after a second is not written; one it has not confirmed by deliveryWaitMs is, and answered queued; /metrics counts why', async () => {
  const { repo, rows } = memoryOutbox();
  const registry = new Registry();
  let confirm: (() => void) | undefined;
  let hang = false;
  const hung: (() => void)[] = [];
  const intake = createIncidentIntake({
    reports: repo,
    deliver: () => new Promise<void>((resolve) => (hang ? hung.push(resolve) : (confirm = resolve))),
    isPermanent: () => false,
    logger,
    registry,
    // Only the answer's wait is set: the outbox write waits as long (before, it came after a second whatever the wait).
    settings: { deliveryWaitMs: 1_500, idlePollMs: 60_000 },
  });
  const writes = async (reason: string) => (await registry.getSingleMetric('scrubbing_intake_outbox_writes_total')!.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  try {
    const answer = intake.accept('late', started('l1'));
    await until(() => confirm !== undefined);
    const confirmed = new Promise<void>((resolve) => setTimeout(() => (confirm!(), resolve()), 1_200));
    expect(await answer).toEqual({ delivery: 'delivered' });
    await confirmed;
    expect(rows).toEqual([]);
    expect(await writes('slow')).toBe(0);

    hang = true;
    expect(await intake.accept('hung', started('h1'))).toMatchObject({ delivery: 'queued' });
    expect(rows.map((r) => r.payload.incidentId)).toEqual(['h1']);
    expect(await writes('slow')).toBe(1);
  } finally {
    for (const release of hung) release();
    await intake.stop();
  }
});

test('a report Temporal refuses at once is kept before the answer (queued) and delivered by the loop, oldest first', async () => {
  const { repo, rows } = memoryOutbox();
  let up = false;
  const delivered: string[] = [];
  const intake = createIncidentIntake({
    reports: repo,
    deliver: inOrder((_ws, report) => (up ? (delivered.push(report.payload.incidentId), Promise.resolve()) : Promise.reject(new Error('UNAVAILABLE')))),
    isPermanent: () => false,
    logger,
    settings: { keepAfterMs: 1_000, deliveryWaitMs: 2_000, idlePollMs: 20, retryMaxMs: 50 },
  });
  try {
    expect(await intake.accept('r', started('r1'))).toMatchObject({ delivery: 'queued' });
    expect(rows.map((r) => r.payload.incidentId)).toEqual(['r1']);
    expect(await intake.accept('r', started('r2'))).toMatchObject({ delivery: 'queued' });
    up = true;
    await until(() => rows.length === 0);
    expect(delivered).toEqual(['r1', 'r2']);
  } finally {
    await intake.stop();
  }
});

test('with a census, starts across a thousand workspaces cost one count, not a thousand; a workspace the census finds at its limit is refused and then counted alone', async () => {
  const { repo } = memoryOutbox();
  let censuses = 0;
  const alone: string[] = [];
  const intake = createIncidentIntake({
    reports: repo,
    deliver: () => Promise.resolve(),
    activeIncidents: (ws) => (alone.push(ws), Promise.resolve(3)),
    activeIncidentCensus: () => (censuses++, Promise.resolve(new Map([['full', 3]]))),
    isPermanent: () => false,
    logger,
    settings: { maxActiveIncidents: 3 },
  });
  try {
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => intake.accept(`ws-${i}`, started('a'))));
    await until(() => censuses === 1);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(intake.accept('full', started('b'))).rejects.toMatchObject({ status: 429, code: 'incident_limit' });
    expect(await intake.accept('ws-1', started('b'))).toEqual({ delivery: 'delivered' });
    expect(censuses).toBe(1);
    // Near its limit, the workspace is counted alone as its reports arrive (at most once a second), not by the next census.
    for (let i = 0; i < 100 && alone.length === 0; i++) {
      await expect(intake.accept('full', started(`retry-${i}`))).rejects.toMatchObject({ status: 429 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alone).toEqual(['full']);
    expect(censuses).toBe(1);
  } finally {
    await intake.stop();
  }
});

test('while a request is still delivering its report (Temporal slow, answered queued), the delivery loop does not read that workspace queue; once it fails, the loop delivers it', async () => {
  const { repo, rows } = memoryOutbox();
  const reads: string[] = [];
  let rounds = 0;
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const delivered: string[] = [];
  let slow = true;
  const intake = createIncidentIntake({
    reports: {
      ...repo,
      oldest: (limit) => (rounds++, repo.oldest(limit)),
      pendingFor: (ws, limit) => (reads.push(ws), repo.pendingFor(ws, limit)),
    },
    deliver: (_ws, report) => (slow ? new Promise<void>((resolve, reject) => pending.push({ resolve, reject })) : (delivered.push(report.payload.incidentId), Promise.resolve())),
    isPermanent: () => false,
    logger,
    settings: { keepAfterMs: 10, deliveryWaitMs: 20, idlePollMs: 20, retryMaxMs: 20 },
  });
  try {
    const answers = await Promise.all(['w1', 'w2', 'w3'].map((ws) => intake.accept(ws, started(`${ws}-a`))));
    expect(answers.map((a) => a.delivery)).toEqual(['queued', 'queued', 'queued']);
    expect(rows).toHaveLength(3);
    // Several rounds while the three deliveries hang: each round looks at the outbox once, and reads no workspace's queue.
    const after = rounds;
    await until(() => rounds >= after + 3);
    expect(reads).toEqual([]);
    // One delivery fails: its report is the loop's now, and the loop delivers it (the other two are still the requests').
    slow = false;
    pending.shift()!.reject(new Error('DEADLINE_EXCEEDED'));
    await until(() => delivered.length === 1);
    expect(delivered).toEqual(['w1-a']);
    expect(new Set(reads)).toEqual(new Set(['w1']));
    for (const p of pending.splice(0)) p.resolve();
    await until(() => rows.length === 0);
    expect(delivered).toEqual(['w1-a']);
  } finally {
    for (const p of pending.splice(0)) p.resolve();
    await intake.stop();
  }
});

test('while this process has reports waiting, its rounds read only the workspaces it knows of; the whole outbox is read once per idlePollMs', async () => {
  const { repo } = memoryOutbox();
  let scans = 0;
  const probes: string[] = [];
  const intake = createIncidentIntake({
    reports: {
      ...repo,
      oldest: (limit) => (scans++, repo.oldest(limit)),
      pendingFor: (ws, limit) => (probes.push(ws), repo.pendingFor(ws, limit)),
    },
    deliver: () => Promise.reject(new Error('UNAVAILABLE')), // Temporal away: every round probes the workspace again
    isPermanent: () => false,
    logger,
    settings: { deliveryWaitMs: 50, idlePollMs: 60_000, retryMaxMs: 20 },
  });
  try {
    expect(await intake.accept('w', started('w1'))).toMatchObject({ delivery: 'queued' });
    await until(() => probes.length >= 4);
    // Four rounds (each probed w): the first read the whole outbox, the others did not.
    expect(scans).toBe(1);
  } finally {
    await intake.stop();
  }
});
