/**
 * The MongoDB store on a real MongoDB-protocol server: credentials encrypted at rest
 * and bound to their record, API keys stored as hashes, the versioned configuration
 * snapshot, two-step deletion, and the audit trail's newest-first cursor.
 */
import { apiKeyRepository } from '../../store/api-keys';
import { auditRepository } from '../../store/audit';
import { incidentRepository } from '../../store/incidents';
import { CredentialCipher } from '../../store/crypto';
import { integrationRepository } from '../../store/integrations';
import { manualHoldRepository } from '../../store/manual-holds';
import { workspaceRepository } from '../../store/workspaces';
import { ConflictError } from '../../store/errors';
import type { Database } from '../../store/db';
import { openTestDatabase } from '../support/database';
import { KEEP_CHANGES_MS, changeLog, type ChangeLog } from '../../store/changes';
import { eventually } from '../support/eventually';
import { IntegrationNotFoundError } from '../../catalog/errors';

let db: Database;
const cipher = CredentialCipher.fromSpec(CredentialCipher.generateSpec('k1'));
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db?.close());

test('credentials are encrypted at rest, decrypt for activities, and are bound to their record', async () => {
  const workspaces = workspaceRepository(db.models);
  const integrations = integrationRepository(db.models, cipher);
  await workspaces.create({ id: 'enc', name: 'Encryption' });
  const created = await integrations.create('enc', {
    type: 'cloudflare',
    name: 'cf',
    settings: { accountId: 'a', prefixId: 'b' },
    credentials: { apiToken: 'super-secret-token' },
  });
  expect(created).not.toHaveProperty('credentials');
  expect(created.credentialFields).toEqual(['apiToken']);

  const raw = await db.connection.collection('integrations').findOne({ _id: created.id as never });
  expect(JSON.stringify(raw)).not.toContain('super-secret-token');
  expect(raw?.credentials).toMatchObject({ kid: 'k1', iv: expect.any(String), tag: expect.any(String), data: expect.any(String) });
  await expect(integrations.loadForOperation('enc', created.id)).resolves.toMatchObject({ credentials: { apiToken: 'super-secret-token' } });

  // A blob copied onto another integration does not decrypt there.
  const other = await integrations.create('enc', { type: 'cloudflare', name: 'cf2', settings: {}, credentials: { apiToken: 'x' } });
  await db.connection.collection('integrations').updateOne({ _id: other.id as never }, { $set: { credentials: raw?.credentials } });
  await expect(integrations.loadForOperation('enc', other.id)).rejects.toThrow();
  // Another workspace cannot load it.
  await expect(integrations.loadForOperation('other', created.id)).rejects.toMatchObject({ name: 'IntegrationNotFoundError' });
});

test("the worker's integration cache: credentials changed through another process (the API) reach an operation within about two polls, and a fresh read (a Test, a retry) at once; an integration of another workspace is still refused", async () => {
  const api = integrationRepository(db.models, cipher);
  const worker = integrationRepository(db.models, cipher, { operationCache: { pollMs: 100 } });
  try {
    const created = await api.create('cache-ws', {
      type: 'cloudflare',
      name: 'cf',
      settings: { accountId: 'a'.repeat(32), prefixId: 'b'.repeat(32) },
      credentials: { apiToken: 'token-one-0123456789' },
    });
    expect((await worker.loadForOperation('cache-ws', created.id)).credentials).toEqual({ apiToken: 'token-one-0123456789' });
    await api.update('cache-ws', created.id, { credentials: { apiToken: 'token-two-0123456789' } });
    // An operator's Test and a retry read afresh: the new credentials at once.
    expect((await worker.loadForOperation('cache-ws', created.id, { fresh: true })).credentials).toEqual({ apiToken: 'token-two-0123456789' });
    await api.update('cache-ws', created.id, { credentials: { apiToken: 'token-three-012345678' } });
    const changedAt = Date.now();
    await eventually(
      () => worker.loadForOperation('cache-ws', created.id).then((loaded) => loaded.credentials.apiToken),
      (token) => token === 'token-three-012345678',
      { what: 'the new credentials', intervalMs: 20 },
    );
    expect(Date.now() - changedAt).toBeLessThan(2 * 100 + 2_000);
    await expect(worker.loadForOperation('another-ws', created.id)).rejects.toBeInstanceOf(IntegrationNotFoundError);
  } finally {
    worker.stop();
  }
});

test('a rotated key ring still decrypts old credentials and encrypts new ones with the new key', async () => {
  const oldSpec = CredentialCipher.generateSpec('old');
  const before = integrationRepository(db.models, CredentialCipher.fromSpec(oldSpec));
  await workspaceRepository(db.models).create({ id: 'rot', name: 'Rotation' });
  const created = await before.create('rot', { type: 'hetzner', name: 'hz', settings: { serverNumber: 1 }, credentials: { username: 'u', password: 'p' } });
  const after = integrationRepository(db.models, CredentialCipher.fromSpec(`${CredentialCipher.generateSpec('new')},${oldSpec}`));
  await expect(after.loadForOperation('rot', created.id)).resolves.toMatchObject({ credentials: { password: 'p' } });
  await after.update('rot', created.id, { credentials: { username: 'u', password: 'p2' } });
  const raw = await db.connection.collection('integrations').findOne({ _id: created.id as never });
  expect(raw?.credentials.kid).toBe('new');
});

test('API keys: only a hash is stored; revoked or altered keys do not authenticate', async () => {
  const keys = apiKeyRepository(db.models);
  const { apiKey, key } = await keys.create('enc', 'ci', 'detector');
  expect(key).toMatch(/^so_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  const raw = await db.connection.collection('api_keys').findOne({ _id: apiKey.id as never });
  expect(JSON.stringify(raw)).not.toContain(key.split('_').slice(2).join('_')); // the secret part may itself hold '_'
  await expect(keys.authenticate(key)).resolves.toMatchObject({ id: apiKey.id, role: 'detector', workspace: 'enc' });
  await expect(keys.authenticate(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).resolves.toBeNull();
  await expect(keys.authenticate('so_nothing')).resolves.toBeNull();
  // The key feed names the new key (the API processes read it ahead of its first use), with its hash.
  const before = new Date(Date.now() - 10_000);
  const refs = async (since: Date) => (await keys.changedSince(since)).filter((e) => e.ref === apiKey.id);
  expect(await refs(before)).toHaveLength(1);
  expect((await keys.activeKeys.some([apiKey.id, 'key_none'])).get(apiKey.id)).toMatchObject({ key: { id: apiKey.id, role: 'detector' } });
  expect([...(await keys.activeKeys.all(10_000)).values()].find((k) => k.key.id === apiKey.id)?.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await keys.revoke('enc', apiKey.id)).toBe(true);
  await expect(keys.authenticate(key)).resolves.toBeNull();
  // The revocation is noted before and after the write; a later read starting after it does not see it; a revoked key is not active.
  expect(await refs(before)).toHaveLength(3);
  expect(await keys.changedSince(new Date(Date.now() + 1_000))).toEqual([]);
  expect((await keys.activeKeys.some([apiKey.id])).size).toBe(0);
});

test("a feed's read answers from its last read while the kind's head says no note landed since; a note through another process, an earlier `since` and `rereadMs` make it read the log", async () => {
  const reader = changeLog(db.models); // a feed's process
  const writer = changeLog(db.models); // another process
  const since = new Date(Date.now() - 1_000);
  await writer.note('integration', 'head-1');
  const find = jest.spyOn(db.models.Change.collection, 'find');
  try {
    const refs = async (log: ChangeLog, at: Date) => (await log.since('integration', at)).map((e) => e.ref);
    expect(await refs(reader, since)).toContain('head-1');
    expect(find).toHaveBeenCalledTimes(1);
    // No note since: the same answer without reading the log, also for a later `since`.
    expect(await refs(reader, since)).toContain('head-1');
    expect(await refs(reader, new Date(Date.now() + 1_000))).toEqual([]);
    expect(find).toHaveBeenCalledTimes(1);
    // A note of another kind leaves this kind's head alone.
    await writer.note('workspace', 'head-ws');
    await refs(reader, since);
    expect(find).toHaveBeenCalledTimes(1);
    // A note of this kind through the other process: the next read reads the log and sees it.
    await writer.note('integration', 'head-2');
    expect(await refs(reader, since)).toEqual(expect.arrayContaining(['head-1', 'head-2']));
    expect(find).toHaveBeenCalledTimes(2);
    // A `since` before the last read's reaches back further than what that read found.
    await refs(reader, new Date(since.getTime() - 5_000));
    expect(find).toHaveBeenCalledTimes(3);
    // A log whose last read is `rereadMs` old reads the log whatever the head says (an entry whose writer stopped before replacing the head).
    const eager = changeLog(db.models, { rereadMs: 0 });
    await refs(eager, since);
    await refs(eager, since);
    expect(find).toHaveBeenCalledTimes(5);
  } finally {
    find.mockRestore();
  }
  // An entry written without its head (the writer stopped in between) is seen by a read after `rereadMs`, not before.
  await db.models.Change.create({ kind: 'integration', ref: 'head-3', at: new Date() });
  expect((await reader.since('integration', since)).map((e) => e.ref)).not.toContain('head-3');
  expect((await changeLog(db.models, { rereadMs: 0 }).since('integration', since)).map((e) => e.ref)).toContain('head-3');
});

test("the change feeds' reads: the change log names what changed lately and is pruned after two minutes; active incidents of every workspace in one pass", async () => {
  const workspaces = workspaceRepository(db.models);
  await workspaces.create({ id: 'feed-ws', name: 'Feed', holdDownSeconds: 0 });
  const since = new Date(Date.now() - 1_000);
  const refs = async (at: Date) => (await workspaces.changedSince(at)).map((e) => e.ref);
  expect(await refs(since)).not.toContain('feed-ws');
  await workspaces.bumpConfigVersion('feed-ws');
  await workspaces.update('feed-ws', { name: 'Feed 2' });
  // Each change is noted before and after its write, each entry with an id of its own, oldest first.
  const entries = (await workspaces.changedSince(since)).filter((e) => e.ref === 'feed-ws');
  expect(entries).toHaveLength(4);
  expect(new Set(entries.map((e) => e.entry)).size).toBe(4);
  expect(await workspaces.changedSince(new Date(Date.now() + 1_000))).toEqual([]);
  expect((await workspaces.versions.some(['feed-ws', 'no-such-ws'])).get('feed-ws')).toBe(3);
  expect((await workspaces.versions.all(10_000)).get('feed-ws')).toBe(3);
  const log = changeLog(db.models);
  expect((await log.since('integration', since)).map((e) => e.ref)).not.toContain('feed-ws'); // another kind
  // The database filters (kind and time): a feed's poll does not read the whole log (MongoDB answers from the index).
  const find = jest.spyOn(db.models.Change.collection, 'find');
  try {
    await log.since('workspace', since);
    expect(find).toHaveBeenCalledTimes(1);
    expect(find.mock.calls[0]![0]).toEqual({ kind: 'workspace', at: { $gte: since } });
  } finally {
    find.mockRestore();
  }
  expect(await log.prune(new Date(Date.now() + KEEP_CHANGES_MS + 1_000))).toBeGreaterThanOrEqual(4);
  expect(await workspaces.changedSince(since)).toEqual([]);

  const incidents = incidentRepository(db.models);
  for (const id of ['a', 'b', 'c']) await incidents.started('census-1', { incidentId: id });
  await incidents.started('census-2', { incidentId: 'a' });
  await incidents.resolved('census-1', 'c');
  await incidents.resolved('census-3', 'gone');
  const counts = await incidents.activeCounts();
  expect([counts.get('census-1'), counts.get('census-2'), counts.get('census-3')]).toEqual([2, 1, undefined]);
  expect(await incidents.activeCount('census-1')).toBe(2);
});

test('workspaces: unique ids, a configuration snapshot whose version grows with every change, two-step deletion', async () => {
  const workspaces = workspaceRepository(db.models);
  const integrations = integrationRepository(db.models, cipher);
  await workspaces.create({ id: 'snap', name: 'Snapshot', holdDownSeconds: 60 });
  await expect(workspaces.create({ id: 'snap', name: 'again' })).rejects.toBeInstanceOf(ConflictError);
  const a = await integrations.create('snap', {
    type: 'ovh',
    name: 'o',
    scope: ['203.0.113.0/24'],
    settings: { endpoint: 'ovh-eu', ip: '203.0.113.7' },
    credentials: { applicationKey: 'k', applicationSecret: 's', consumerKey: 'c' },
  });
  await workspaces.bumpConfigVersion('snap');
  const first = await workspaces.configSnapshot('snap');
  expect(first).toEqual({
    version: 2,
    holdDownSeconds: 60,
    integrations: [{ id: a.id, type: 'ovh', name: 'o', autoDivert: true, scope: ['203.0.113.0/24'] }],
    // What the catalog says of each type present: the workflow learns operation names, windows and telemetry (the calm gate) from it.
    providers: {
      ovh: {
        operations: { activate: 'ovh.enableFirewall', withdraw: 'ovh.disableFirewall' },
        timing: expect.objectContaining({ minActiveSeconds: 0, reactivateAfterSeconds: 0 }),
        telemetry: expect.objectContaining({ activity: 'ovh.readTelemetry', calm: expect.objectContaining({ calmSeconds: 300 }) }),
      },
    },
  });

  expect(await integrations.markDeleted('snap', a.id)).toBe(true);
  await workspaces.bumpConfigVersion('snap');
  const emptied = await workspaces.configSnapshot('snap');
  expect(emptied).toMatchObject({ version: 3, integrations: [] });
  expect(emptied).not.toHaveProperty('providers');
  // Deleted but not yet purged: still loadable so the workflow can withdraw it.
  await expect(integrations.loadForOperation('snap', a.id)).resolves.toMatchObject({ type: 'ovh' });
  await integrations.purge('snap', a.id);
  await expect(integrations.loadForOperation('snap', a.id)).rejects.toMatchObject({ name: 'IntegrationNotFoundError' });
});

test('configuration snapshots are reused per version: a change that bumps the version is seen at once, the same version is not read again', async () => {
  const workspaces = workspaceRepository(db.models);
  const integrations = integrationRepository(db.models, cipher);
  await workspaces.create({ id: 'cached', name: 'Cached', holdDownSeconds: 60 });
  const ovh = { type: 'ovh' as const, settings: { endpoint: 'ovh-eu', ip: '203.0.113.8' }, credentials: { applicationKey: 'k', applicationSecret: 's', consumerKey: 'c' } };
  const a = await integrations.create('cached', { ...ovh, name: 'a' });
  await workspaces.bumpConfigVersion('cached');
  expect((await workspaces.configSnapshot('cached'))?.integrations.map((i) => i.id)).toEqual([a.id]);
  // Written behind the repository's back without a new version: the snapshot of that version stands.
  const b = await integrations.create('cached', { ...ovh, name: 'b' });
  expect((await workspaces.configSnapshot('cached'))?.integrations.map((i) => i.id)).toEqual([a.id]);
  // Every real change bumps the version: seen on the next read.
  await workspaces.bumpConfigVersion('cached');
  expect((await workspaces.configSnapshot('cached'))?.integrations.map((i) => i.id)).toEqual([a.id, b.id]);
  // The workspace document itself (hold-down, policy) is always read fresh.
  await workspaces.update('cached', { holdDownSeconds: 90 });
  expect(await workspaces.configSnapshot('cached')).toMatchObject({ holdDownSeconds: 90, version: 4 });
});

test('the incident record: a start after its resolve does not reopen it; the sweep removes records resolved more than a week ago, for every workspace at once', async () => {
  const incidents = incidentRepository(db.models);
  const day = 24 * 3_600_000;
  const t0 = Date.UTC(2026, 0, 1);
  await incidents.started('inc-ws', { incidentId: 'old' }, new Date(t0));
  await incidents.resolved('inc-ws', 'old', new Date(t0));
  await incidents.started('inc-ws', { incidentId: 'old' }, new Date(t0 + 1000)); // late duplicate start
  await incidents.started('inc-ws', { incidentId: 'live', target: '192.0.2.7' }, new Date(t0));
  expect((await incidents.recover('inc-ws', [], 10)).active).toEqual([{ incidentId: 'live', target: '192.0.2.7' }]);
  await incidents.resolved('inc-ws-2', 'elsewhere', new Date(t0 + day));
  await incidents.resolved('inc-ws', 'recent', new Date(t0 + 7 * day));
  const stored = async () => (await db.models.Incident.find({ workspace: /^inc-ws/ }).distinct('incidentId')).sort();

  // A resolve writes only its record: nothing is removed on the request path.
  expect(await stored()).toEqual(['elsewhere', 'live', 'old', 'recent']);
  // Eight days after t0, `old` (resolved 8 days before) goes; `elsewhere` (exactly 7 days) stays until a moment later.
  expect(await incidents.pruneResolved(new Date(t0 + 8 * day))).toBe(1);
  expect(await stored()).toEqual(['elsewhere', 'live', 'recent']);
  expect(await incidents.pruneResolved(new Date(t0 + 8 * day + 1))).toBe(1);
  expect(await stored()).toEqual(['live', 'recent']);
  // Active incidents are never swept, however old.
  expect(await incidents.pruneResolved(new Date(t0 + 100 * day))).toBe(1);
  expect(await stored()).toEqual(['live']);
});

test('a resolve is an insert beside the record: every reader sees it resolved at once, through any process; the sweep folds it into the record, and the census counts it once', async () => {
  const here = incidentRepository(db.models);
  const elsewhere = incidentRepository(db.models); // another API process: it never saw the starts
  const t0 = new Date(Date.UTC(2026, 0, 3));
  for (const id of ['a', 'b', 'c', 'd']) await here.started('fold-ws', { incidentId: id, target: `192.0.2.${id.charCodeAt(0)}` }, t0);
  await here.resolved('fold-ws', 'a', new Date(t0.getTime() + 1_000));
  await elsewhere.resolved('fold-ws', 'b', new Date(t0.getTime() + 2_000));
  await elsewhere.resolved('fold-ws', 'b', new Date(t0.getTime() + 9_000)); // the same resolve again: the first time stands
  await here.resolved('fold-other', 'never-started', new Date(t0.getTime() + 3_000));

  // The records themselves are left as the starts wrote them; a resolution of each is kept beside.
  expect(await db.models.Incident.countDocuments({ workspace: 'fold-ws', active: true })).toBe(4);
  expect(await db.models.IncidentResolution.countDocuments({ workspace: { $in: ['fold-ws', 'fold-other'] } })).toBe(3);
  const readers = async () => ({
    census: [(await here.activeCounts()).get('fold-ws'), (await here.activeCounts()).get('fold-other')],
    count: await elsewhere.activeCount('fold-ws'),
    recovered: (await elsewhere.recover('fold-ws', [], 10)).active.map((i) => i.incidentId),
    history: (await here.history('fold-ws', { since: t0, limit: 10, now: new Date(t0.getTime() + 60_000) })).incidents.map((i) => [i.incident.incidentId, i.resolvedAt?.getTime() ?? null]),
  });
  const expected = {
    census: [2, undefined],
    count: 2,
    recovered: ['c', 'd'],
    history: [
      ['d', null],
      ['c', null],
      ['b', t0.getTime() + 2_000],
      ['a', t0.getTime() + 1_000],
    ],
  };
  expect(await readers()).toEqual(expected);
  // A resolve whose start never came is listed at once, as received and resolved.
  expect((await here.history('fold-other', { since: t0, limit: 10, now: new Date(t0.getTime() + 60_000) })).incidents).toEqual([
    { incident: { incidentId: 'never-started' }, startedAt: new Date(t0.getTime() + 3_000), resolvedAt: new Date(t0.getTime() + 3_000) },
  ]);

  // The sweep (not a week later yet: nothing removed) folds them in; every reader answers the same.
  expect(await here.pruneResolved(new Date(t0.getTime() + 60_000))).toBe(0);
  expect(await db.models.Incident.find({ workspace: 'fold-ws', active: true }).distinct('incidentId')).toEqual(['c', 'd']);
  expect(await readers()).toEqual(expected);
  // A week after their resolves, the records go with their resolutions; the active ones stay.
  expect(await here.pruneResolved(new Date(t0.getTime() + 7 * 24 * 3_600_000 + 10_000))).toBe(3);
  expect((await db.models.Incident.find({ workspace: { $in: ['fold-ws', 'fold-other'] } }).distinct('incidentId')).sort()).toEqual(['c', 'd']);
  expect(await db.models.IncidentResolution.countDocuments({ workspace: { $in: ['fold-ws', 'fold-other'] } })).toBe(0);
});

test('a burst of concurrent resolves, each of an existing record, completes, and one sweep folds them (FerretDB holds a connection per matched statement of an update command until it ends: batches of updates stay small)', async () => {
  const incidents = incidentRepository(db.models);
  const ids = Array.from({ length: 400 }, (_, i) => `burst-${i}`);
  await Promise.all(ids.map((id) => incidents.started('burst-ws', { incidentId: id })));
  await Promise.all(ids.map((id) => incidents.resolved('burst-ws', id)));
  expect(await incidents.activeCount('burst-ws')).toBe(0);
  expect(await db.models.IncidentResolution.countDocuments({ workspace: 'burst-ws' })).toBe(400);
  // One sweep folds them all into their records (one update of many documents per batch, never a batch of updates).
  expect(await incidents.pruneResolved()).toBe(0);
  expect(await db.models.Incident.countDocuments({ workspace: 'burst-ws', active: false })).toBe(400);
});

test('incident records written together: a start and its resolve in one batch end resolved with what the start reported; repeated starts, one already stored, keep the first', async () => {
  const incidents = incidentRepository(db.models);
  const at = new Date(Date.UTC(2026, 0, 2));
  await incidents.started('batch-ws', { incidentId: 'stored', target: '192.0.2.1' }, at);
  // Two writes in flight (as many as the record takes at once) make the rest wait and go together.
  const writes = [incidents.started('batch-ws', { incidentId: 'filler-1' }), incidents.started('batch-ws', { incidentId: 'filler-2' })];
  writes.push(
    incidents.resolved('batch-ws', 'flap', new Date(at.getTime() + 2_000)), // the resolve handed over before its start
    incidents.started('batch-ws', { incidentId: 'flap', target: '192.0.2.9', severity: 'high' }, new Date(at.getTime() + 1_000)),
    incidents.started('batch-ws', { incidentId: 'stored', target: '192.0.2.99' }, new Date(at.getTime() + 3_000)), // a duplicate of a stored start
    incidents.started('batch-ws', { incidentId: 'twice', target: '192.0.2.2' }, at),
    incidents.started('batch-ws', { incidentId: 'twice', target: '192.0.2.3' }, at), // the same start again, in the same batch
  );
  await Promise.all(writes);
  const { incidents: listed } = await incidents.history('batch-ws', { since: at, limit: 10, now: new Date(at.getTime() + 60_000) });
  const record = (incidentId: string) => listed.find((i) => i.incident.incidentId === incidentId);
  expect(record('flap')).toEqual({ incident: { incidentId: 'flap', target: '192.0.2.9', severity: 'high' }, startedAt: new Date(at.getTime() + 1_000), resolvedAt: new Date(at.getTime() + 2_000) });
  expect(record('stored')).toEqual({ incident: { incidentId: 'stored', target: '192.0.2.1' }, startedAt: at, resolvedAt: null });
  expect(record('twice')).toMatchObject({ incident: { target: '192.0.2.2' }, resolvedAt: null });
  expect((await incidents.recover('batch-ws', [], 10)).active.map((i) => i.incidentId).sort()).toEqual(['filler-1', 'filler-2', 'stored', 'twice']);
});

test('incident record keys hold no NUL (FerretDB on PostgreSQL refuses it); records of the first version move to the current keys, a newer record winning', async () => {
  const incidents = incidentRepository(db.models);
  await incidents.started('keys-ws', { incidentId: 'a/b' });
  expect(await db.models.Incident.find({ workspace: 'keys-ws' }).distinct('_id')).toEqual(['keys-ws/a/b']);

  const legacy = (incidentId: string, active: boolean) => ({
    _id: `keys-ws\u0000${incidentId}`,
    workspace: 'keys-ws',
    incidentId,
    incident: { incidentId },
    active,
    startedAt: new Date(),
    resolvedAt: active ? null : new Date(),
  });
  // Still active under the old key; and one resolved since under the new key while its old record says active.
  await db.models.Incident.create([legacy('still-on', true), legacy('a/b', true)]);
  await incidents.resolved('keys-ws', 'a/b');
  expect(await incidents.migrateLegacyKeys()).toBe(2);
  expect((await db.models.Incident.find({ workspace: 'keys-ws' }).distinct('_id')).sort()).toEqual(['keys-ws/a/b', 'keys-ws/still-on']);
  expect((await incidents.recover('keys-ws', [], 10)).active).toEqual([{ incidentId: 'still-on' }]);
  expect(await incidents.migrateLegacyKeys()).toBe(0);
});

test('the audit trail pages newest first', async () => {
  const audit = auditRepository(db.models);
  for (let i = 0; i < 5; i++) await audit.record({ workspace: 'aud', actor: 'workflow', action: `a${i}`, outcome: 'ok' });
  const first = await audit.list('aud', { limit: 2 });
  expect(first.events.map((e) => e.action)).toEqual(['a4', 'a3']);
  const second = await audit.list('aud', { limit: 2, before: first.next! });
  expect(second.events.map((e) => e.action)).toEqual(['a2', 'a1']);
  const last = await audit.list('aud', { limit: 2, before: second.next! });
  expect(last).toMatchObject({ events: [{ action: 'a0' }], next: null });
});

test('audit records asked for together are written in batches: each one is there once, in the order asked, with its defaults; an invalid one fails alone', async () => {
  const audit = auditRepository(db.models);
  const inserts: number[] = [];
  const insertMany = db.models.AuditEvent.collection.insertMany.bind(db.models.AuditEvent.collection);
  const spy = jest.spyOn(db.models.AuditEvent.collection, 'insertMany').mockImplementation((docs, options) => {
    inserts.push(Array.from(docs).length);
    return insertMany(docs, options);
  });
  try {
    const asked = Array.from({ length: 400 }, (_, i) => audit.record({ workspace: 'aud-burst', actor: 'workflow', action: `b${String(i).padStart(3, '0')}`, outcome: 'ok' }));
    const invalid = audit.record({ workspace: 'aud-burst', actor: 'workflow', action: 'bad', outcome: 'maybe' as 'ok' });
    await Promise.all(asked);
    await expect(invalid).rejects.toThrow(/outcome/);
    const { events } = await audit.list('aud-burst', { limit: 500 });
    expect(events.map((e) => e.action)).toEqual(Array.from({ length: 400 }, (_, i) => `b${String(399 - i).padStart(3, '0')}`));
    expect(events[0]).toMatchObject({ integration: null, incident: null, detail: '', outcome: 'ok' });
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(400);
    expect(inserts.length).toBeLessThan(400); // batched, not one write per record
  } finally {
    spy.mockRestore();
  }
});

test('manual holds: the later action of an integration wins, whatever order the writes arrive in; recovery reads the Activates with its first page; a forgotten one is gone', async () => {
  const holds = manualHoldRepository(db.models);
  const incidents = incidentRepository(db.models);
  const t0 = Date.now();
  await holds.record('holds-ws', 'a', 'activate', new Date(t0));
  await holds.record('holds-ws', 'b', 'activate', new Date(t0));
  await holds.record('holds-ws', 'b', 'withdraw', new Date(t0 + 2));
  await holds.record('holds-ws', 'b', 'activate', new Date(t0 + 1)); // an older Activate written late
  await holds.record('other-ws', 'c', 'activate', new Date(t0));
  expect(await holds.activated('holds-ws')).toEqual(['a']);

  await holds.record('holds-ws', 'b', 'activate', new Date(t0 + 3));
  expect(await holds.activated('holds-ws')).toEqual(['a', 'b']);
  expect(await incidents.recover('holds-ws', [], 10, { manualHolds: true })).toEqual({ active: [], earlier: false, manualActivations: ['a', 'b'] });
  expect(await incidents.recover('holds-ws', [], 10, { after: 'holds-ws/x', manualHolds: true })).toEqual({ active: [], earlier: false }); // a later page
  expect(await incidents.recover('holds-ws', [], 10)).toEqual({ active: [], earlier: false }); // not asked (the run has no integration)

  await holds.forget('holds-ws', 'a');
  expect(await holds.activated('holds-ws')).toEqual(['b']);
  expect(await holds.activated('other-ws')).toEqual(['c']);
});
