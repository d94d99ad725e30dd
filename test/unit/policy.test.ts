/**
 * Provider-aware policy in the decision module, table-driven like decide.test.ts:
 * provider timing windows, flap damping, dry run and drift reconciliation. Every
 * scenario starts from a state with the rules on (as a workflow started after the
 * provider-policy patch does); decide.test.ts covers the same module with them off.
 */
import { Command, WorkspaceEvent, WorkspaceState, decide, initialState, nextDeadline, workspaceView } from '../../workflows/decide';
import { decideFirstGenerationInPlace } from '../../workflows/first-generation';
import { providerTiming } from '../../catalog';
import { effectiveHoldDown, workspacePolicy, type WorkspacePolicy } from '../../workflows/policy';
import type { IntegrationConfig } from '../../workflows/state';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

const CF: IntegrationConfig = { id: 'CF', type: 'cloudflare' };
const OVH: IntegrationConfig = { id: 'OVH', type: 'ovh' };
/** Reconciliation far away, so scenarios about other rules see no status reads. */
const QUIET: Partial<WorkspacePolicy> = { reconcileActiveSeconds: 100_000, reconcileIdleSeconds: 100_000 };

const configure = (integrations: IntegrationConfig[], holdDownSeconds = 300, policy: Partial<WorkspacePolicy> = QUIET, version = 1, at = 0): WorkspaceEvent => ({
  type: 'configChanged',
  now: s(at),
  config: { version, holdDownSeconds, integrations, policy },
});
const start = (incidentId: string, at: number): WorkspaceEvent => ({ type: 'incidentStarted', now: s(at), incident: { incidentId } });
const resolve = (incidentId: string, at: number): WorkspaceEvent => ({ type: 'incidentResolved', now: s(at), incidentId });
const finished = (integrationId: string, seq: number, diverted: boolean, at: number): WorkspaceEvent => ({
  type: 'operationFinished',
  now: s(at),
  integrationId,
  seq,
  diverted,
  attempts: 1,
});
const timer = (at: number): WorkspaceEvent => ({ type: 'timerFired', now: s(at) });
const manual = (integrationId: string, action: 'activate' | 'withdraw', at: number): WorkspaceEvent => ({ type: 'manualAction', now: s(at), integrationId, action });
const observed = (integrationId: string, diverted: boolean, at: number, pending = false): WorkspaceEvent => ({
  type: 'statusObserved',
  now: s(at),
  integrationId,
  diverted,
  pending,
  detail: diverted ? 'advertised' : 'withdrawn',
});

const recovered = (ids: string[], readProviders: boolean, at: number): WorkspaceEvent => ({
  type: 'incidentsRecovered',
  now: s(at),
  incidents: ids.map((incidentId) => ({ incidentId })),
  readProviders,
});

const activate = (integrationId: string, seq: number): Command => ({ kind: 'runOperation', integrationId, op: 'activate', seq });
const withdraw = (integrationId: string, seq: number): Command => ({ kind: 'runOperation', integrationId, op: 'withdraw', seq });
const holdDown = (integrationId: string, at: number) => ({ kind: 'startHoldDown', integrationId, until: s(at), reason: expect.any(String) as string });
const cancelHoldDown = (integrationId: string): Command => ({ kind: 'cancelHoldDown', integrationId });
const check = (integrationId: string): Command => ({ kind: 'checkStatus', integrationId });
const deferred = (integrationId: string, until: number) => ({ kind: 'activationDeferred', integrationId, until: s(until), reason: expect.stringContaining('15 minutes') as string });
const drift = (integrationId: string, expected: string, seen: string, action: string) => ({
  kind: 'driftDetected',
  integrationId,
  drift: expect.objectContaining({ expected, observed: seen, action }) as unknown,
  detail: expect.any(String) as string,
});

type Step = [WorkspaceEvent, unknown[], ((state: WorkspaceState) => void)?];

function play(steps: Step[]): WorkspaceState {
  let state: WorkspaceState = { ...initialState('acme'), rules: true };
  steps.forEach(([event, expected, verify], index) => {
    const before = JSON.stringify(state);
    const decision = decide(state, event);
    expect(JSON.stringify(state)).toBe(before); // decide never mutates its input
    try {
      expect(decision.commands).toEqual(expected);
      verify?.(decision.state);
    } catch (err) {
      throw new Error(`step ${index} (${event.type} at ${(event.now - T0) / 1000} s): ${(err as Error).message}`);
    }
    state = decision.state;
  });
  return state;
}

const integration = (st: WorkspaceState, id: string) => st.integrations[id]!;
const holdsUntil = (id: string, at: number, reason: string) => (st: WorkspaceState) => {
  expect(integration(st, id).holdDownUntil).toBe(s(at));
  expect(integration(st, id).holdDownReason).toContain(reason);
};

// A table laid out by hand, one step a line: left as written by the formatter.
// prettier-ignore
const scenarios: [string, Step[]][] = [
  ['Cloudflare: a diversion stays on 15 minutes after the provider confirmed it, whatever the hold-down', [
    [configure([CF]), []],
    [start('i1', 0), [activate('CF', 1)]],
    [finished('CF', 1, true, 5), [], (st) => expect(integration(st, 'CF').activatedAt).toBe(s(5))],
    [resolve('i1', 10), [holdDown('CF', 310)], holdsUntil('CF', 310, 'base hold-down')],
    [timer(310), [], holdsUntil('CF', 905, 'minimum on-time of 900 s')],
    [timer(904), []],
    [timer(905), [withdraw('CF', 2)]],
  ]],
  ['Cloudflare: an attack returning inside the re-activation window waits for it; the timer activates at the earliest moment', [
    [configure([CF], 0, { ...QUIET }), []],
    [start('i1', 0), [activate('CF', 1)]],
    [finished('CF', 1, true, 0), []],
    [resolve('i1', 10), [holdDown('CF', 900)]],
    [timer(900), [withdraw('CF', 2)]],
    [finished('CF', 2, false, 920), [], (st) => expect(integration(st, 'CF').withdrawnAt).toBe(s(920))],
    [start('i2', 1000), [deferred('CF', 1820)], (st) => {
      expect(integration(st, 'CF').desired).toBe('active');
      expect(integration(st, 'CF').waitingUntil).toBe(s(1820));
      expect(integration(st, 'CF').waitReason).toContain('withdrawn 80 s ago');
    }],
    [timer(1819), []],
    [timer(1820), [activate('CF', 3)], (st) => expect(integration(st, 'CF').waitingUntil).toBeNull()],
  ]],
  ['an operator forces an activation inside the window', [
    [configure([CF], 0), []],
    [start('i1', 0), [activate('CF', 1)]],
    [finished('CF', 1, true, 0), []],
    [resolve('i1', 10), [holdDown('CF', 900)]],
    [timer(900), [withdraw('CF', 2)]],
    [finished('CF', 2, false, 901), []],
    [start('i2', 1000), [deferred('CF', 1801)]],
    [manual('CF', 'activate', 1100), [activate('CF', 3)], (st) => expect(integration(st, 'CF').waitingUntil).toBeNull()],
  ]],
  ['an attack that ends while the activation waits cancels the wait', [
    [configure([CF], 0), []],
    [start('i1', 0), [activate('CF', 1)]],
    [finished('CF', 1, true, 0), []],
    [resolve('i1', 1), [holdDown('CF', 900)]],
    [timer(900), [withdraw('CF', 2)]],
    [finished('CF', 2, false, 900), []],
    [start('i2', 1000), [deferred('CF', 1800)]],
    [resolve('i2', 1100), [], (st) => expect(integration(st, 'CF').waitingUntil).toBeNull()],
    [timer(1800), []],
  ]],
  ['per-integration overrides replace the provider defaults', [
    [configure([{ ...CF, minActiveSeconds: 0, reactivateAfterSeconds: 0 }], 0), []],
    [start('i1', 0), [activate('CF', 1)]],
    [finished('CF', 1, true, 1), []],
    [resolve('i1', 2), [withdraw('CF', 2)]],
    [finished('CF', 2, false, 3), []],
    [start('i2', 4), [activate('CF', 3)]],
  ]],
  ['flap damping: five waves with growing lulls are one diversion, the hold-down doubling per wave', [
    [configure([OVH], 300, { ...QUIET, flapWindowSeconds: 3600, maxHoldDownSeconds: 3600 }), []],
    [start('w1', 0), [activate('OVH', 1)]],
    [finished('OVH', 1, true, 1), []],
    [resolve('w1', 60), [holdDown('OVH', 360)], holdsUntil('OVH', 360, 'base hold-down')],
    [start('w2', 300), [cancelHoldDown('OVH')]],
    [resolve('w2', 400), [holdDown('OVH', 1000)], holdsUntil('OVH', 1000, '2 attack waves')],
    [start('w3', 900), [cancelHoldDown('OVH')]],
    [resolve('w3', 1000), [holdDown('OVH', 2200)], holdsUntil('OVH', 2200, '300 s doubled 2 times')],
    [start('w4', 2100), [cancelHoldDown('OVH')]],
    [resolve('w4', 2200), [holdDown('OVH', 4600)], holdsUntil('OVH', 4600, '4 attack waves')],
    [start('w5', 3400), [cancelHoldDown('OVH')], (st) => expect(st.waves).toEqual([s(0), s(300), s(900), s(2100), s(3400)])],
    [resolve('w5', 3500), [holdDown('OVH', 7100)], (st) => {
      expect(st.holdDown).toMatchObject({ baseSeconds: 300, seconds: 3600, waves: 5 });
      expect(st.holdDown?.reason).toBe('5 attack waves in the last 60 min: 300 s doubled 4 times, capped at 3600 s');
    }],
    [timer(7099), []],
    [timer(7100), [withdraw('OVH', 2)]],
  ]],
  ['flap damping is capped, and decays once the waves leave the window', [
    [configure([OVH], 300, { ...QUIET, flapWindowSeconds: 3600, maxHoldDownSeconds: 900 }), []],
    [start('w1', 0), [activate('OVH', 1)]],
    [finished('OVH', 1, true, 1), []],
    [resolve('w1', 10), [holdDown('OVH', 310)]],
    [start('w2', 100), [cancelHoldDown('OVH')]],
    [resolve('w2', 110), [holdDown('OVH', 710)]],
    [start('w3', 200), [cancelHoldDown('OVH')]],
    [resolve('w3', 210), [holdDown('OVH', 1110)], holdsUntil('OVH', 1110, 'capped at 900 s')],
    [timer(1110), [withdraw('OVH', 2)]],
    [finished('OVH', 2, false, 1111), []],
    // Calm for over an hour: the next attack is a first wave again.
    [start('w4', 5000), [activate('OVH', 3)], (st) => expect(st.waves).toEqual([s(5000)])],
    [finished('OVH', 3, true, 5001), []],
    [resolve('w4', 5010), [holdDown('OVH', 5310)], holdsUntil('OVH', 5310, 'base hold-down')],
  ]],
  ['dry run: the decisions are made and recorded, flagged so the workflow calls no provider; no status reads', [
    [configure([{ ...OVH, dryRun: true }], 0, { reconcileActiveSeconds: 10, reconcileIdleSeconds: 10 }), [], (st) => expect(st.nextReconcileAt).toBeNull()],
    [start('i1', 0), [{ kind: 'runOperation', integrationId: 'OVH', op: 'activate', seq: 1, dryRun: true }]],
    [finished('OVH', 1, true, 0), []],
    [timer(100), []],
    [resolve('i1', 200), [{ kind: 'runOperation', integrationId: 'OVH', op: 'withdraw', seq: 2, dryRun: true }]],
  ]],
  ['reconciliation: slow when calm, fast while diverted; a prefix withdrawn behind our back is drift, repaired', [
    [configure([OVH], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 600 }), [], (st) => expect(st.nextReconcileAt).toBe(s(600))],
    [timer(600), [check('OVH')], (st) => expect(st.nextReconcileAt).toBe(s(1200))],
    [observed('OVH', false, 601), [], (st) => expect(integration(st, 'OVH').provider).toMatchObject({ observed: 'not_diverted' })],
    [start('i1', 700), [activate('OVH', 1)], (st) => expect(st.nextReconcileAt).toBe(s(760))],
    [finished('OVH', 1, true, 701), []],
    [timer(760), [check('OVH')]],
    [observed('OVH', false, 761), [drift('OVH', 'diverted', 'not_diverted', 'repaired'), activate('OVH', 2)], (st) => {
      expect(integration(st, 'OVH').drift).toMatchObject({ count: 1, open: false, detectedAt: s(761) });
    }],
    [finished('OVH', 2, true, 762), []],
    [timer(821), [check('OVH')]],
    [observed('OVH', true, 822), [], (st) => expect(integration(st, 'OVH').provider).toMatchObject({ observed: 'diverted' })],
  ]],
  ['reconciliation: a diversion left on behind our back is withdrawn', [
    [configure([OVH], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 600 }), []],
    [timer(600), [check('OVH')]],
    [observed('OVH', true, 601), [drift('OVH', 'not_diverted', 'diverted', 'repaired'), withdraw('OVH', 1)]],
  ]],
  ['reconciliation: pending provider states are pending, not drift; nothing is judged while our operation runs', [
    [configure([OVH], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 600 }), []],
    [timer(600), [check('OVH')]],
    [observed('OVH', true, 601, true), [], (st) => expect(integration(st, 'OVH').provider).toMatchObject({ observed: 'pending' })],
    [start('i1', 700), [activate('OVH', 1)]],
    [timer(760), [], (st) => expect(integration(st, 'OVH').checking).toBeFalsy()], // in flight: not read
    [finished('OVH', 1, true, 770), []],
    [timer(820), [check('OVH')]],
    [start('i2', 821), []],
    [observed('OVH', false, 822, true), [], (st) => expect(integration(st, 'OVH').drift ?? null).toBeNull()],
  ]],
  ['a read that one of our operations overtook is not drift', [
    [configure([OVH], 0, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 60 }), []],
    [start('i1', 0), [activate('OVH', 1)]],
    [finished('OVH', 1, true, 1), []],
    [timer(60), [check('OVH')]],
    [resolve('i1', 61), [withdraw('OVH', 2)]],
    [finished('OVH', 2, false, 62), []],
    // The read went out before the withdrawal and comes back after it: "diverted" is stale.
    [observed('OVH', true, 63), [], (st) => {
      expect(integration(st, 'OVH').drift ?? null).toBeNull();
      expect(integration(st, 'OVH').provider).toMatchObject({ observed: 'diverted' });
    }],
    [timer(121), [check('OVH')]],
    [observed('OVH', false, 122), [], (st) => expect(integration(st, 'OVH').drift ?? null).toBeNull()],
  ]],
  ['a failed operation: the provider holding what we want is adopted; a retryable failure is tried again; a refusal waits', [
    [configure([OVH, { ...CF, id: 'CF2' }, { ...CF, id: 'CF3', minActiveSeconds: 0, reactivateAfterSeconds: 0 }], 0, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 60 }), []],
    [start('i1', 0), [activate('OVH', 1), activate('CF2', 1), activate('CF3', 1)]],
    [{ type: 'operationFailed', now: s(30), integrationId: 'OVH', seq: 1, attempts: 20, error: { type: 'Timeout', message: 'provider call timed out', nonRetryable: false } }, []],
    [{ type: 'operationFailed', now: s(30), integrationId: 'CF2', seq: 1, attempts: 20, error: { type: 'ProviderUnavailableError', message: 'HTTP 503', nonRetryable: false } }, []],
    [{ type: 'operationFailed', now: s(30), integrationId: 'CF3', seq: 1, attempts: 1, error: { type: 'ProviderAuthError', message: 'HTTP 401', nonRetryable: true } }, []],
    [timer(60), [check('OVH'), check('CF2'), check('CF3')]],
    // The timed-out activation took effect after all.
    [observed('OVH', true, 61), [], (st) => expect(integration(st, 'OVH')).toMatchObject({ actual: 'active', lastError: null })],
    [observed('CF2', false, 61), [activate('CF2', 2)]],
    [observed('CF3', false, 61), [], (st) => expect(integration(st, 'CF3').actual).toBe('failed')],
  ]],
  ['while one integration is diverted, the others are read at the idle pace, and a refused one is not read every minute', [
    [configure([OVH, { ...OVH, id: 'CALM', scope: ['198.51.100.0/24'] }], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 600 }), []],
    [{ type: 'incidentStarted', now: s(0), incident: { incidentId: 'i1', target: '203.0.113.1' } }, [activate('OVH', 1)]],
    [finished('OVH', 1, true, 1), []],
    [timer(60), [check('OVH'), check('CALM')]], // CALM never read yet
    [observed('OVH', true, 61), []],
    [observed('CALM', false, 61), []],
    [timer(120), [check('OVH')]],
    [observed('OVH', true, 121), []],
    [timer(660), [check('OVH'), check('CALM')]], // an idle interval after CALM's last read
  ]],
  ['report-only: drift is reported once, left as found, and closed when the provider agrees again', [
    [configure([{ ...OVH, onDrift: 'report' }], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 60 }), []],
    [timer(60), [check('OVH')]],
    [observed('OVH', true, 61), [drift('OVH', 'not_diverted', 'diverted', 'reported')], (st) => {
      expect(integration(st, 'OVH').actual).toBe('inactive');
      expect(integration(st, 'OVH').drift).toMatchObject({ open: true, count: 1 });
    }],
    [timer(121), [check('OVH')]],
    [observed('OVH', true, 122), []],
    [timer(182), [check('OVH')]],
    [observed('OVH', false, 183), [], (st) => expect(integration(st, 'OVH').drift).toMatchObject({ open: false, count: 1 })],
  ]],
  ['a failed status read is shown as unknown, never as drift', [
    [configure([OVH], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 60 }), []],
    [timer(60), [check('OVH')]],
    [{ type: 'statusCheckFailed', now: s(61), integrationId: 'OVH', error: 'ProviderUnavailableError: HTTP 503' }, [], (st) => {
      expect(integration(st, 'OVH').provider).toEqual({ observed: 'unknown', detail: 'ProviderUnavailableError: HTTP 503', checkedAt: s(61) });
      expect(integration(st, 'OVH').checking).toBe(false);
    }],
  ]],
  ['a run started without a predecessor: recovered incidents divert; a resolve this run saw stays resolved; no read on a first run', [
    [configure([CF, OVH]), []],
    [resolve('gone', 1), []],
    [recovered(['i1', 'gone'], false, 2), [activate('CF', 1), activate('OVH', 1)], (st) => {
      expect(Object.keys(st.incidents)).toEqual(['i1']);
      expect(st.incidentCount).toBe(1);
    }],
    [recovered(['i1'], false, 3), []],
  ]],
  ['a run after a terminated one: with no incident left, every provider is read; a diversion found is ours, withdrawn after the hold-down', [
    [configure([CF, OVH]), []],
    [recovered([], true, 1), [check('CF'), check('OVH')]],
    // Still propagating (pending) counts: the run before this one made it.
    [observed('CF', true, 2, true), [{ kind: 'diversionAdopted', integrationId: 'CF', detail: 'advertised' }, holdDown('CF', 302)], (st) => {
      expect(integration(st, 'CF')).toMatchObject({ actual: 'active', desired: 'active' });
    }],
    [observed('OVH', false, 2), [], (st) => {
      expect(integration(st, 'OVH').actual).toBe('inactive');
      expect(integration(st, 'OVH').adoptOnRead).toBeUndefined(); // later reads are ordinary reconciliation
    }],
    [timer(302), [withdraw('CF', 1)]],
  ]],

];

describe('provider policy in decide', () => {
  test.each(scenarios)('%s', (_name, steps) => {
    play(steps);
  });

  test('runs begun before the policy (first generation) schedule no status read, whatever the policy says', () => {
    const first = (state: WorkspaceState, event: WorkspaceEvent) => decideFirstGenerationInPlace(structuredClone(state), event);
    const off = first(initialState('acme'), configure([OVH], 300, { reconcileActiveSeconds: 1, reconcileIdleSeconds: 1 })).state;
    expect(off.nextReconcileAt).toBeUndefined();
    expect(nextDeadline(off)).toBeNull();
    expect(first(off, timer(10)).commands).toEqual([]);
  });
});

describe('policy arithmetic', () => {
  test.each([
    ['cloudflare', {}, 900, 900, 'Cloudflare accepts one advertisement change per prefix every 15 minutes'],
    ['hetzner', {}, 60, 60, 'in process'],
    ['ovh', {}, 0, 0, 'no window'],
    ['cloudflare', { reactivateAfterSeconds: 1200 }, 900, 1200, 'set on the integration'],
    ['gcore', {}, 0, 0, 'Gcore documents no window'],
    ['gcore', { minActiveSeconds: 300 }, 300, 0, 'set on the integration'],
    ['unknown', {}, 0, 0, 'no provider window'],
  ])('%s %j: on at least %i s, back after %i s', (type, overrides, minActive, reactivate, why) => {
    expect(providerTiming(type, overrides)).toEqual({ minActiveSeconds: minActive, reactivateAfterSeconds: reactivate, why: expect.stringContaining(why) });
  });

  test.each([
    [[], 300],
    [[0], 300],
    [[0, 100], 600],
    [[0, 100, 200, 300, 400, 500, 600, 700], 3600],
  ])('waves %j give %i s', (waves, seconds) => {
    expect(effectiveHoldDown(300, waves.map(s), s(1000), workspacePolicy()).seconds).toBe(seconds);
  });

  test('a cap at or below the base turns damping off', () => {
    expect(effectiveHoldDown(600, [s(0), s(1), s(2)], s(3), workspacePolicy({ maxHoldDownSeconds: 0 })).seconds).toBe(600);
  });
});

/**
 * The README's example timeline, played against the rules with a scripted Cloudflare: every
 * operation is confirmed at once, every status read answers from the scripted prefix (pending
 * for 7 minutes after it was advertised), and timers fire at the state's next deadline.
 */
describe("the README's example timeline", () => {
  const hhmmss = (seconds: number) => new Date(s(seconds)).toISOString().slice(11, 19);

  test('plays out as documented', () => {
    const prefix = { advertised: false, modifiedAt: 0 };
    const script: [number, (state: WorkspaceState) => WorkspaceEvent | null][] = [
      [0, () => start('a', 0)],
      [240, () => resolve('a', 240)],
      [360, () => start('b', 360)],
      [465, () => ((prefix.advertised = false), (prefix.modifiedAt = 465), null)], // withdrawn in the dashboard
      [600, () => resolve('b', 600)],
      [1800, () => start('c', 1800)],
      [2700, () => resolve('c', 2700)],
    ];
    const log: string[] = [];
    let state: WorkspaceState = { ...initialState('acme'), rules: true };
    const queue: WorkspaceEvent[] = [configure([CF], 300, { reconcileActiveSeconds: 60, reconcileIdleSeconds: 1800 })];
    const run = (event: WorkspaceEvent) => {
      const { state: next, commands } = decide(state, event);
      state = next;
      for (const command of commands) {
        const at = (event.now - T0) / 1000;
        if (command.kind === 'runOperation') {
          prefix.advertised = command.op === 'activate';
          prefix.modifiedAt = at;
          log.push(`${hhmmss(at)} ${command.op}`);
          queue.push(finished(command.integrationId, command.seq, command.op === 'activate', at));
        } else if (command.kind === 'checkStatus') {
          queue.push(observed(command.integrationId, prefix.advertised, at, prefix.advertised && at - prefix.modifiedAt < 420));
        } else if (command.kind === 'driftDetected') {
          log.push(`${hhmmss(at)} drift ${command.drift.expected} -> ${command.drift.observed}`);
        } else if (command.kind === 'activationDeferred') {
          log.push(`${hhmmss(at)} activation waits until ${hhmmss((command.until - T0) / 1000)}`);
        } else if (command.kind === 'startHoldDown') {
          log.push(`${hhmmss(at)} hold-down until ${hhmmss((command.until - T0) / 1000)}`);
        }
      }
    };
    const drain = () => {
      while (queue.length > 0) run(queue.shift()!);
    };
    drain();
    for (const [at, step] of [...script, [4000, () => null] as const]) {
      // Timers due before the next scripted step fire first, as the workflow's durable timer would.
      for (let deadline = nextDeadline(state); deadline !== null && deadline < s(at); deadline = nextDeadline(state)) {
        run(timer((deadline - T0) / 1000));
        drain();
        const holding = Object.values(state.integrations)[0]!;
        if (holding.holdDownUntil !== null && holding.holdDownReason?.startsWith('minimum on-time') && !log.at(-1)?.includes('minimum')) {
          log.push(`${hhmmss((deadline - T0) / 1000)} minimum on-time until ${hhmmss((holding.holdDownUntil - T0) / 1000)}`);
        }
      }
      const event = step(state);
      if (event) run(event);
      drain();
    }
    expect(log).toEqual([
      '10:00:00 activate',
      '10:04:00 hold-down until 10:09:00',
      '10:08:00 drift diverted -> not_diverted',
      '10:08:00 activate',
      '10:10:00 hold-down until 10:20:00',
      '10:20:00 minimum on-time until 10:23:00',
      '10:23:00 withdraw',
      '10:30:00 activation waits until 10:38:00',
      '10:38:00 activate',
      '10:45:00 hold-down until 11:05:00',
      '11:05:00 withdraw',
    ]);
    // At 11:06:40 only wave 3 (10:30) is within the hour: the hold-down has decayed to the base.
    expect(state.holdDown).toMatchObject({ seconds: 300, waves: 1 });
  });
});

describe('provider facts come with the configuration (the catalog), not from the workflow', () => {
  const GC: IntegrationConfig = { id: 'GC', type: 'gcore' };
  const facts = (minActiveSeconds: number, why: string) => ({
    operations: { activate: 'gcore.announce', withdraw: 'gcore.withdraw' },
    timing: { minActiveSeconds, reactivateAfterSeconds: 0, why },
  });
  const withFacts = (providers: Record<string, ReturnType<typeof facts>>, version = 1): WorkspaceEvent => ({
    type: 'configChanged',
    now: s(0),
    config: { version, holdDownSeconds: 0, integrations: [GC], policy: QUIET, providers },
  });

  test('a type the workflow has never heard of keeps the minimum on-time its configuration gives', () => {
    const state = play([
      [withFacts({ gcore: facts(120, 'a window from the catalog') }), []],
      [start('a', 1), [activate('GC', 1)]],
      [finished('GC', 1, true, 2), []],
      [resolve('a', 10), [holdDown('GC', 122)]],
    ]);
    expect(state.integrations.GC?.holdDownReason).toContain('a window from the catalog');
    expect(workspaceView(state).integrations[0]?.timing).toEqual({ minActiveSeconds: 120, reactivateAfterSeconds: 0, why: 'a window from the catalog' });
  });

  test('facts are kept per type across configurations, so a removed integration is still withdrawn by its own operation', () => {
    const state = play([
      [withFacts({ gcore: facts(0, 'none') }), []],
      [start('a', 1), [activate('GC', 1)]],
      [finished('GC', 1, true, 2), []],
      [{ type: 'configChanged', now: s(3), config: { version: 2, holdDownSeconds: 0, integrations: [], policy: QUIET } }, [withdraw('GC', 2)]],
    ]);
    expect(state.providers?.gcore?.operations.withdraw).toBe('gcore.withdraw');
  });

  test('a run whose configuration came before the catalog uses the facts it always had', () => {
    const state = play([[configure([CF]), []]]);
    expect(state.providers).toBeUndefined();
    expect(workspaceView(state).integrations[0]?.timing).toEqual({ minActiveSeconds: 900, reactivateAfterSeconds: 900, why: expect.stringContaining('15 minutes') });
  });
});
