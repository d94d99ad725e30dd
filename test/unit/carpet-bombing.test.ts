/**
 * Carpet bombing in the decision module: thousands of distinct targets. Which integrations an
 * incident triggers is kept incrementally (no scan of every incident per event); these tests
 * check it against a full scan after every event of long random sequences, including
 * configuration changes that move scopes under active incidents, and that the decisions are
 * the ones a workspace under a wide attack must take.
 */
import { WorkspaceEvent, WorkspaceState, decide, decideInPlace, initialState, triggers } from '../../workflows/decide';
import { MAX_ACTIVE_INCIDENTS, incidentKey, packState, unpackState, workspaceView, type IntegrationConfig } from '../../workflows/state';

const T0 = Date.parse('2026-12-01T10:00:00Z');

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const scanned = (state: WorkspaceState, id: string): number => {
  const integration = state.integrations[id]!;
  return Object.values(state.incidents).filter((incident) => triggers(integration, incident)).length;
};

const SCOPES: IntegrationConfig['scope'][] = ['workspace', ['10.1.0.0/16'], ['10.1.0.0/24', '10.2.0.0/16'], ['10.3.0.0/16'], ['2001:db8::/48']];

test.each([1, 2, 3, 4])('the kept trigger counts equal a full scan after every event (seed %i)', (seed) => {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const ids = ['A', 'B', 'C', 'D'];
  let version = 1;
  const config = (): WorkspaceEvent => ({
    type: 'configChanged',
    now: T0,
    config: {
      version: version++,
      holdDownSeconds: 0,
      integrations: ids.filter(() => next() < 0.85).map((id) => ({ id, type: 'cloudflare', scope: pick(SCOPES), autoDivert: next() < 0.9 })),
    },
  });
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  state = decide(state, config()).state;
  const open: string[] = [];
  for (let step = 0; step < 600; step++) {
    const roll = next();
    let event: WorkspaceEvent;
    if (roll < 0.5 || open.length === 0) {
      const id = `i${step}`;
      open.push(id);
      const target = pick([`10.1.0.${step % 250}`, `10.2.${step % 250}.1`, `10.3.3.${step % 250}`, `2001:db8::${step.toString(16)}`, '192.0.2.1', undefined]);
      event = { type: 'incidentStarted', now: T0 + step, incident: { incidentId: id, ...(target ? { target } : {}) } };
    } else if (roll < 0.9) {
      const [id] = open.splice(Math.floor(next() * open.length), 1);
      event = { type: 'incidentResolved', now: T0 + step, incidentId: id as string };
    } else event = config();
    state = decide(state, event).state;
    if ((state.incidentCount ?? Object.keys(state.incidents).length) !== Object.keys(state.incidents).length) throw new Error(`step ${step} (${event.type}): incidentCount ${state.incidentCount}`);
    // Now and then, a state as a run before the counts carried it: they are counted again.
    if (next() < 0.05) {
      delete state.incidentCount;
      delete state.integrations[pick(Object.keys(state.integrations))]?.triggeredBy;
    }
    for (const id of Object.keys(state.integrations)) {
      const kept = state.integrations[id]!.triggeredBy ?? scanned(state, id);
      if (kept !== scanned(state, id)) throw new Error(`step ${step} (${event.type}): ${id} counts ${kept}, a scan finds ${scanned(state, id)}`);
    }
  }
});

test('a carpet bomb of 20,000 targets diverts the integrations whose prefixes are hit, and withdraws once every one resolved', () => {
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  const integrations: IntegrationConfig[] = [
    { id: 'hit', type: 'cloudflare', scope: ['10.20.0.0/16'], minActiveSeconds: 0 },
    { id: 'spared', type: 'cloudflare', scope: ['10.99.0.0/16'], minActiveSeconds: 0 },
  ];
  state = decide(state, { type: 'configChanged', now: T0, config: { version: 1, holdDownSeconds: 0, integrations } }).state;
  const ids = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
  let activations = 0;
  ids.forEach((incidentId, i) => {
    // In place, as the workflow does (decide's copy is for callers that keep the old state).
    const decision = decideInPlace(state, { type: 'incidentStarted', now: T0 + i, incident: { incidentId, target: `10.20.${Math.floor(i / 250)}.${i % 250}` } });
    activations += decision.commands.filter((c) => c.kind === 'runOperation' && c.op === 'activate').length;
    state = decision.state;
  });
  expect(activations).toBe(1);
  expect(state.integrations.hit).toMatchObject({ desired: 'active', triggeredBy: 20_000 });
  expect(state.integrations.spared).toMatchObject({ desired: 'inactive', triggeredBy: 0 });
  state = decide(state, { type: 'operationFinished', now: T0 + 20_000, integrationId: 'hit', seq: 1, diverted: true, attempts: 1 }).state;
  let withdrawals = 0;
  ids.forEach((incidentId, i) => {
    const decision = decideInPlace(state, { type: 'incidentResolved', now: T0 + 30_000 + i, incidentId });
    withdrawals += decision.commands.filter((c) => c.kind === 'runOperation' && c.op === 'withdraw').length;
    // Never withdrawn while one target is still under attack.
    if (i < ids.length - 1) expect(withdrawals).toBe(0);
    state = decision.state;
  });
  expect(withdrawals).toBe(1);
  expect(state.integrations.hit!.triggeredBy).toBe(0);
});

/** A workspace with one integration over 10.20.0.0/16 and `count` active incidents started in place. */
function flooded(count: number, id: (i: number) => string, target: (i: number) => string = (i) => `10.20.${Math.floor(i / 250)}.${i % 250}`) {
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  const integrations: IntegrationConfig[] = [{ id: 'hit', type: 'cloudflare', scope: ['10.20.0.0/16', '2001:db8::/32'], minActiveSeconds: 0 }];
  state = decide(state, { type: 'configChanged', now: T0, config: { version: 1, holdDownSeconds: 0, integrations } }).state;
  const commands: WorkspaceEvent[] = [];
  for (let i = 0; i < count; i++) {
    const decision = decideInPlace(state, { type: 'incidentStarted', now: T0 + i * 7, incident: { incidentId: id(i), target: target(i), severity: 'high', source: 'fastnetmon' } });
    state = decision.state;
    commands.push(...(decision.commands as unknown as WorkspaceEvent[]));
  }
  return { state, commands: commands as unknown as ReturnType<typeof decide>['commands'] };
}

test(`the workspace takes ${MAX_ACTIVE_INCIDENTS} active incidents; later starts are refused (one command to audit it) until some resolve`, () => {
  const { state, commands } = flooded(MAX_ACTIVE_INCIDENTS + 3, (i) => `t${i}`);
  expect(state.incidentCount).toBe(MAX_ACTIVE_INCIDENTS);
  expect(state.refusedIncidents).toBe(3);
  expect(commands.filter((c) => c.kind === 'incidentLimitReached')).toEqual([{ kind: 'incidentLimitReached', incidentId: `t${MAX_ACTIVE_INCIDENTS}`, limit: MAX_ACTIVE_INCIDENTS }]);
  expect(workspaceView(state)).toMatchObject({ activeIncidentCount: MAX_ACTIVE_INCIDENTS, refusedIncidents: 3 });
  // A refused incident is not known: its resolve changes nothing; a resolve of a known one makes room.
  let next = decideInPlace(state, { type: 'incidentResolved', now: T0 + 1e6, incidentId: `t${MAX_ACTIVE_INCIDENTS + 1}` }).state;
  expect(next.incidentCount).toBe(MAX_ACTIVE_INCIDENTS);
  next = decideInPlace(next, { type: 'incidentResolved', now: T0 + 1e6, incidentId: 't0' }).state;
  expect(next.refusedIncidents).toBeUndefined();
  next = decideInPlace(next, { type: 'incidentStarted', now: T0 + 1e6, incident: { incidentId: 'late', target: '10.20.1.1' } }).state;
  expect(next.incidentCount).toBe(MAX_ACTIVE_INCIDENTS);
  expect(next.incidents.late).toBeDefined();
});

test('an ID longer than 24 characters is kept under a 12-character hash; its start, duplicate and resolve all find it', () => {
  const long = (i: number) => `${'x'.repeat(190)}-${i}`;
  expect(incidentKey('short-id')).toBe('short-id');
  expect(incidentKey(long(1))).toMatch(/^#[0-9a-z]{1,11}$/);
  expect(incidentKey(long(1))).not.toBe(incidentKey(long(2)));
  let { state } = flooded(3, long);
  state = decideInPlace(state, { type: 'incidentStarted', now: T0 + 99, incident: { incidentId: long(1), target: '10.20.9.9' } }).state; // a duplicate
  expect(state.incidentCount).toBe(3);
  expect(workspaceView(state).activeIncidents.map((i) => i.incidentId)).toEqual([long(0), long(1), long(2)]); // shown in full
  for (const i of [0, 1, 2]) state = decideInPlace(state, { type: 'incidentResolved', now: T0 + 100, incidentId: long(i) }).state;
  expect(state.incidentCount).toBe(0);
  expect(state.integrations.hit!.desired).toBe('inactive');
  // A start after its resolve is still ignored.
  state = decideInPlace(state, { type: 'incidentStarted', now: T0 + 101, incident: { incidentId: long(2) } }).state;
  expect(state.incidentCount).toBe(0);
});

test.each([
  ['short IDs, IPv4 targets', (i: number) => `cb-${i}`, (i: number) => `10.20.${Math.floor(i / 250)}.${i % 250}`],
  ['200-character IDs, IPv6 targets', (i: number) => `${'y'.repeat(190)}-${i}`, (i: number) => `2001:db8:ffff:ffff:ffff:ffff:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`],
])('at the cap (%s) the carried state stays far below 2 MB and unpacks to the same decisions', (_name, id, target) => {
  const { state } = flooded(MAX_ACTIVE_INCIDENTS, id, target);
  const carried = JSON.stringify(packState(state));
  expect(carried.length).toBeLessThan(700_000); // a third of the limit
  expect(Object.values(unpackState(JSON.parse(carried) as WorkspaceState).incidents).map((i) => i.target)).toEqual(Object.values(state.incidents).map((i) => i.target));
  const next = unpackState(JSON.parse(carried) as WorkspaceState);
  expect(next.incidentCount).toBe(MAX_ACTIVE_INCIDENTS);
  expect(Object.keys(next.incidents)).toEqual(Object.keys(state.incidents));
  expect(Object.values(next.incidents).map((i) => i.receivedAt)).toEqual(Object.values(state.incidents).map((i) => i.receivedAt));
  expect(workspaceView(next).activeIncidents).toEqual(workspaceView(state).activeIncidents); // the listed ones keep every detail
  // Recounting from the unpacked incidents (a changed scope) finds every target again.
  const recounted = decide(next, {
    type: 'configChanged',
    now: T0 + 1e6,
    config: { version: 2, holdDownSeconds: 0, integrations: [{ id: 'hit', type: 'cloudflare', scope: ['10.20.0.0/17', '2001:db8::/32'], minActiveSeconds: 0 }] },
  }).state;
  const expected = Object.values(state.incidents).filter((i) => triggers(recounted.integrations.hit!, i)).length;
  expect(recounted.integrations.hit!.triggeredBy).toBe(expected);
  // Every incident resolves by its reported ID after the unpacking, and only the last withdraws.
  let after = next;
  for (let i = 0; i < MAX_ACTIVE_INCIDENTS; i++) after = decideInPlace(after, { type: 'incidentResolved', now: T0 + 2e6, incidentId: id(i) }).state;
  expect(after.incidentCount).toBe(0);
  expect(Object.keys(after.incidents)).toHaveLength(0);
  process.stdout.write(`carried state at ${MAX_ACTIVE_INCIDENTS} incidents (${_name}): ${carried.length} bytes\n`);
});

test('a state carried by a run before packing (incidents by full ID) is re-keyed', () => {
  const long = `${'z'.repeat(100)}`;
  const old: WorkspaceState = { ...initialState('ws'), incidents: { [long]: { incidentId: long, receivedAt: T0 } }, incidentCount: 1, closedIncidentIds: [`${long}-closed`] };
  const next = unpackState(old);
  expect(Object.keys(next.incidents)).toEqual([incidentKey(long)]);
  expect(decide(next, { type: 'incidentResolved', now: T0, incidentId: long }).state.incidentCount).toBe(0);
  expect(decide(next, { type: 'incidentStarted', now: T0, incident: { incidentId: `${long}-closed` } }).state.incidentCount).toBe(1);
});
