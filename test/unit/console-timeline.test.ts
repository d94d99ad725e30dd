/** The console's 24-hour picture: diversions from the audit trail's divert and withdraw records and the current state; attacks from the active incidents. */
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

test('attacks run from their reported start (or arrival) to now, clipped to the window', () => {
  expect(
    attacksFrom(
      [
        { incidentId: 'a', startedAt: at(10 * H), receivedAt: 11 * H },
        { incidentId: 'b', receivedAt: 12 * H, target: '192.0.2.1' },
        { incidentId: 'c', startedAt: at(-3 * H), receivedAt: 1 * H },
      ],
      window,
    ).map((a) => [a.id, a.from / H, a.to / H]),
  ).toEqual([
    ['a', 10, 24],
    ['b', 12, 24],
    ['c', 0, 24],
  ]);
});

test('times map onto the plot and stay inside it', () => {
  expect([scale(-H, window, 100), scale(12 * H, window, 100), scale(30 * H, window, 100)]).toEqual([0, 50, 100]);
});
