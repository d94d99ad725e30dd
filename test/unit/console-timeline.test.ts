/**
 * The console's 24-hour picture: diversions from the audit trail's divert and withdraw records and
 * the current state; attacks from the incident history (start to resolve, or to now while active)
 * and, for those begun earlier, the workflow's active incidents.
 */
import { attacksFrom, lanesFrom, scale, type TimelineEvent } from '../../console/src/timeline-model';

const H = 3_600_000;
const window = { from: 0, to: 24 * H };
const at = (ms: number) => new Date(ms).toISOString();
const event = (time: number, action: string, integration = 'int_a', outcome: TimelineEvent['outcome'] = 'ok'): TimelineEvent => ({
  at: at(time),
  action,
  integration,
  outcome,
  actor: 'workflow',
  detail: '',
});
const source = (overrides: Partial<Parameters<typeof lanesFrom>[1][number]> = {}) => ({ id: 'int_a', name: 'A', divertedNow: false, since: null, dryRun: false, ...overrides });
const intervals = (events: TimelineEvent[], overrides = {}) => lanesFrom(events, [source(overrides)], window)[0]!.intervals.map(({ from, to, open, dryRun }) => [from / H, to / H, open, dryRun]);

test.each([
  ['a divert then a withdraw', [event(2 * H, 'divert'), event(3 * H, 'withdraw')], {}, [[2, 3, false, false]]],
  ['newest first as the API answers', [event(3 * H, 'withdraw'), event(2 * H, 'divert')], {}, [[2, 3, false, false]]],
  ['a divert still on', [event(20 * H, 'divert')], { divertedNow: true }, [[20, 24, true, false]]],
  ['a withdraw of a diversion older than the window', [event(1 * H, 'withdraw')], {}, [[0, 1, false, false]]],
  ['diverted now, nothing recorded in the window', [], { divertedNow: true, since: at(-5 * H) }, [[0, 24, true, false]]],
  ['diverted now since a time in the window, records gone', [], { divertedNow: true, since: at(22 * H) }, [[22, 24, true, false]]],
  ['a provider found diverted (adopted)', [event(5 * H, 'divert.adopted'), event(6 * H, 'withdraw')], {}, [[5, 6, false, false]]],
  ['a dry run apart from real diversions', [event(1 * H, 'dry-run.divert'), event(2 * H, 'dry-run.withdraw')], {}, [[1, 2, false, true]]],
  ['a failed divert is no diversion', [event(4 * H, 'divert', 'int_a', 'failed')], {}, []],
  ["another integration's records", [event(4 * H, 'divert', 'int_b')], {}, []],
  [
    'two waves',
    [event(1 * H, 'divert'), event(2 * H, 'withdraw'), event(5 * H, 'divert'), event(6 * H, 'withdraw')],
    {},
    [
      [1, 2, false, false],
      [5, 6, false, false],
    ],
  ],
])('%s', (_name, events, overrides, expected) => {
  expect(intervals(events, overrides)).toEqual(expected);
});

test('manual actions and failed operations are marks', () => {
  const [lane] = lanesFrom([event(1 * H, 'manual.withdraw'), event(2 * H, 'withdraw', 'int_a', 'failed'), event(3 * H, 'integration.update')], [source()], window);
  expect(lane!.marks.map((m) => [m.at / H, m.action, m.outcome])).toEqual([
    [1, 'manual.withdraw', 'ok'],
    [2, 'withdraw', 'failed'],
  ]);
});

const attacks = (...args: Parameters<typeof attacksFrom>) => attacksFrom(...args).map((a) => [a.id, a.from / H, a.to / H, a.open]);

test('attacks of the history run from their start (as reported when earlier, else as received) to their resolve, or to now while active', () => {
  expect(
    attacks(
      [
        { id: 'resolved', startedAt: at(2 * H), resolvedAt: at(3 * H) },
        { id: 'reported-earlier', reportedStartedAt: at(9 * H), startedAt: at(10 * H), resolvedAt: at(12 * H) },
        { id: 'reported-later', reportedStartedAt: at(15 * H), startedAt: at(14 * H), resolvedAt: null },
        { id: 'active', startedAt: at(20 * H), resolvedAt: null, target: '192.0.2.1' },
      ],
      [],
      window,
    ),
  ).toEqual([
    ['resolved', 2, 3, false],
    ['reported-earlier', 9, 12, false],
    ['reported-later', 14, 24, true],
    ['active', 20, 24, true],
  ]);
});

test('attacks are clipped to the window; one that ended before it is not drawn', () => {
  expect(
    attacks(
      [
        { id: 'began-earlier', reportedStartedAt: at(-3 * H), startedAt: at(1 * H), resolvedAt: at(2 * H) },
        { id: 'ended-earlier', reportedStartedAt: at(-5 * H), startedAt: at(-4 * H), resolvedAt: at(-1 * H) },
        { id: 'resolve-after-the-window', startedAt: at(23 * H), resolvedAt: at(25 * H) },
      ],
      [],
      window,
    ),
  ).toEqual([
    ['began-earlier', 0, 2, false],
    ['resolve-after-the-window', 23, 24, false],
  ]);
});

test("active incidents the history lacks (begun before the window) are drawn to now; the history's own record of an incident wins", () => {
  expect(
    attacks(
      [{ id: 'resolved-meanwhile', startedAt: at(10 * H), resolvedAt: at(11 * H) }],
      [
        { incidentId: 'long', startedAt: at(-30 * H), receivedAt: -29 * H },
        { incidentId: 'no-reported-start', receivedAt: 5 * H },
        { incidentId: 'resolved-meanwhile', receivedAt: 10 * H },
      ],
      window,
    ),
  ).toEqual([
    ['long', 0, 24, true],
    ['no-reported-start', 5, 24, true],
    ['resolved-meanwhile', 10, 11, false],
  ]);
});

test('times map onto the plot and stay inside it', () => {
  expect([scale(-H, window, 100), scale(12 * H, window, 100), scale(30 * H, window, 100)]).toEqual([0, 50, 100]);
});
