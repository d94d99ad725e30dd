/**
 * Fault test 4: a provider that answers 429 with Retry-After, or 503, for a long time.
 * Scaled down: the production retry policy (1 s doubling to 30 s, 20 attempts) keeps its
 * 1 s start (Temporal's server spaces activity retries at least a second apart, measured
 * here) and is capped at 2 s instead of 30 s, so minutes of outage become seconds. The
 * integration must end diverted, every call must ask for the same thing (no conflicting
 * sequence), and the calls must be spaced as Retry-After and the backoff say, no closer.
 */
import {
  actualOf,
  advertisedAtSimulator,
  advertisements,
  cloudflareIntegration,
  hetznerIntegration,
  startIncident,
  storeOf,
  uniqueId,
  useBed,
  waitForState,
  withWorker,
  workspaceInput,
} from '../support/bed';

const bed = useBed();

/** The production policy scaled down (DEFAULT_OPERATION_RETRY is 1 s, 30 s, 20 attempts). */
const SCALED_RETRY = { initialIntervalMs: 1_000, maximumIntervalMs: 2_000, maximumAttempts: 20, startToCloseTimeoutMs: 5_000 };

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

test('Cloudflare answering 429 with Retry-After for a while: diverted at the end, one call per Retry-After', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const cf = cloudflareIntegration(bed, ws);
  const outageMs = 5_000;
  bed.sim.faults.add({
    provider: 'cloudflare',
    method: 'PATCH',
    pathIncludes: cf.bgpPrefixId,
    status: 429,
    headers: { 'retry-after': '2' },
    durationMs: outageMs,
    body: { success: false, errors: [{ code: 10000, message: 'rate limited' }] },
  });
  await withWorker(bed, taskQueue, storeOf(cf), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [cf.config], { retry: SCALED_RETRY }), { incidentId: 'i1' });
    const view = await waitForState(handle, (v) => actualOf(v, cf.config.id) === 'active', 'diverted after the rate limit', 30_000);
    expect(advertisedAtSimulator(bed, cf)).toBe(true);

    const calls = bed.sim.faults.requests.filter((r) => r.method === 'PATCH' && r.path.includes(cf.bgpPrefixId));
    expect(advertisements(bed, cf.bgpPrefixId).every((advertised) => advertised)).toBe(true); // never a withdraw in between
    expect(calls.map((c) => c.status).slice(-1)).toEqual([200]);
    expect(calls.filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(2);
    // Retry-After: 2 wins over the 1 s backoff: no two calls closer than two seconds.
    expect(Math.min(...gapsOf(calls.map((c) => c.at)))).toBeGreaterThanOrEqual(1_990);
    expect(calls.length).toBeLessThanOrEqual(Math.floor(outageMs / 2_000) + 2);
    expect(view.integrations[0]?.attempts).toBe(calls.length);
  });
});

test('Hetzner answering 503 for a while: diverted at the end, calls spaced by the exponential backoff', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const hz = hetznerIntegration(bed, ws);
  const outageMs = 6_000;
  bed.sim.faults.add({
    provider: 'hetzner',
    pathIncludes: `/firewall/${hz.serverNumber}`,
    status: 503,
    durationMs: outageMs,
    body: { error: { status: 503, code: 'MAINTENANCE', message: 'maintenance' } },
  });
  await withWorker(bed, taskQueue, storeOf(hz), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [hz.config], { retry: SCALED_RETRY }), { incidentId: 'i1' });
    const view = await waitForState(handle, (v) => actualOf(v, hz.config.id) === 'active', 'diverted after the outage', 30_000);
    expect(hz.firewallActive()).toBe(true);

    const calls = bed.sim.faults.requests.filter((r) => r.provider === 'hetzner' && r.path.includes(`/firewall/${hz.serverNumber}`));
    const failed = calls.filter((c) => c.status === 503);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    // Failed attempts only read; the one write came last and activated: no conflicting sequence.
    expect(calls.map((c) => c.method).filter((m) => m !== 'GET')).toEqual(['POST']);
    expect(calls.at(-1)?.method).toBe('POST');
    // Attempt n waits at least min(1 s × 2^(n-1), 2 s) after attempt n-1 failed (10% allowance for clocks).
    const firstCallOfEachAttempt = [...failed, calls.find((c) => c.status !== 503)!].map((c) => c.at);
    gapsOf(firstCallOfEachAttempt).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.9 * Math.min(1_000 * 2 ** i, 2_000)));
    // The schedule (0, 1, 3, 5 s) fits at most four failed attempts into six seconds (one more for clock edges).
    expect(failed.length).toBeLessThanOrEqual(5);
    expect(view.integrations[0]?.attempts).toBe(failed.length + 1);
  });
});
