/**
 * The manual-action and Test answers are bounded by MANUAL_ACTION_TIMEOUT_SECONDS counted
 * from the request, even when a Temporal call outlives its gRPC deadline (seen in CI under
 * load: a config signal and the update together took 10 s against a 5 s budget). The
 * Temporal client here is a stand-in whose calls never settle unless a test lets them.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createScrubbingService } from '../../api/scrubbing-service';
import type { WorkspaceConfig } from '../../workflows/messages';

const config: WorkspaceConfig = { version: 1, holdDownSeconds: 300, integrations: [{ id: 'int-1', type: 'cloudflare' }] };
const never = () => new Promise<never>(() => undefined);

interface Calls {
  signal?: () => Promise<void>;
  startUpdateWithStart?: () => Promise<unknown>;
  execute?: () => Promise<unknown>;
  query?: () => Promise<unknown>;
  /** Temporal's own answer (the probe after a query that timed out). */
  systemInfo?: () => Promise<unknown>;
}

function service(calls: Calls, onLateError?: (err: unknown) => void) {
  const client = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(), // a deadline the SDK does not keep
    workflowService: { getSystemInfo: calls.systemInfo ?? (() => Promise.resolve({})) },
    workflow: {
      getHandle: () => ({ signal: calls.signal ?? (() => Promise.resolve()), query: calls.query ?? never }),
      startUpdateWithStart: calls.startUpdateWithStart ?? never,
      execute: calls.execute ?? never,
    },
  } as unknown as Client;
  return createScrubbingService({
    client,
    taskQueue: 'unit',
    manualActionTimeoutMs: 200,
    directory: { configOf: () => Promise.resolve(config) },
    ...(onLateError ? { onLateError } : {}),
  });
}

test('a manual action whose update is never accepted answers pending, not accepted, at the deadline', async () => {
  await expect(service({}).runManualAction('ws', 'int-1', 'activate', {})).resolves.toEqual({
    done: false,
    accepted: false,
    workflowId: 'scrubbing-ws',
  });
});

test('the budget counts from the request: a config signal that hangs still gets the answer in time', async () => {
  await expect(service({ signal: never }).runManualAction('ws', 'int-1', 'withdraw', {})).resolves.toMatchObject({ done: false, accepted: false });
});

test('an accepted update whose result does not come in time answers pending and accepted', async () => {
  const accepted = () => Promise.resolve({ result: never });
  await expect(service({ startUpdateWithStart: accepted }).runManualAction('ws', 'int-1', 'activate', {})).resolves.toMatchObject({
    done: false,
    accepted: true,
  });
});

test('a manual action that fails after the pending answer is reported to onLateError, not left unhandled', async () => {
  let fail: (err: Error) => void = () => undefined;
  const failing = () => new Promise<never>((_, reject) => (fail = reject));
  const late: unknown[] = [];
  const outcome = await service({ startUpdateWithStart: failing }, (err) => late.push(err)).runManualAction('ws', 'int-1', 'activate', {});
  expect(outcome).toMatchObject({ done: false, accepted: false });
  fail(new Error('Temporal gave up'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(late).toEqual([new Error('Temporal gave up')]);
});

test('an accepted action whose result wait runs out after the answer is not reported as an error', async () => {
  let expire: (err: Error) => void = () => undefined;
  const accepted = () => Promise.resolve({ result: () => new Promise<never>((_, reject) => (expire = reject)) });
  const late: unknown[] = [];
  const outcome = await service({ startUpdateWithStart: accepted }, (err) => late.push(err)).runManualAction('ws', 'int-1', 'activate', {});
  expect(outcome).toMatchObject({ done: false, accepted: true });
  expire(new Error('Deadline exceeded after 4.944s'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(late).toEqual([]);
});

test('a Test that never finishes answers ok false at the deadline', async () => {
  await expect(service({}).testIntegration('ws', 'int-1')).resolves.toMatchObject({ ok: false, summary: expect.stringContaining('did not answer') });
});

test('an unknown integration is a 404 before anything is sent', async () => {
  await expect(service({}).runManualAction('ws', 'nope', 'activate', {})).rejects.toMatchObject({ status: 404 });
});

test('a state query the workflow does not answer is 503 workflow_unresponsive; Temporal unreachable stays itself', async () => {
  const { ServiceError } = await import('@temporalio/client');
  const failing = (code: number) => () => Promise.reject(new ServiceError('query failed', { cause: Object.assign(new Error('grpc'), { code }) }));
  await expect(service({ query: failing(4) }).readState('ws')).rejects.toMatchObject({ status: 503, code: 'workflow_unresponsive' });
  await expect(service({ query: failing(13) }).readState('ws')).rejects.toMatchObject({ status: 503, code: 'workflow_unresponsive' });
  const down = await service({ query: failing(14) })
    .readState('ws')
    .catch((err: unknown) => err);
  expect(down).toBeInstanceOf(ServiceError); // rendered 503 temporal_unavailable by the error handler
  // A deadline while Temporal itself does not answer either: Temporal is unavailable, not the workflow.
  const unreachable = () => Promise.reject(new Error('14 UNAVAILABLE: No connection established'));
  await expect(service({ query: failing(4), systemInfo: unreachable }).readState('ws')).rejects.toMatchObject({ status: 503, code: 'temporal_unavailable' });
});

describe('incident reports of one workspace go one signal at a time', () => {
  type Sent = { signal: string; args: unknown[] };
  /** Temporal as the service sees it: every signal waits until the test settles it; `missing` workflows answer NotFound to a plain signal. */
  function scripted(missing = new Set<string>()) {
    const sent: Sent[] = [];
    const starts: Sent[] = [];
    const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
    const waitForTest = () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    const client = {
      withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
      workflow: {
        signalWithStart: (_type: string, options: { workflowId: string; signal: string; signalArgs: unknown[] }) => {
          starts.push({ signal: options.signal, args: options.signalArgs });
          missing.delete(options.workflowId);
          return waitForTest().then(() => ({ signal: () => Promise.resolve() }));
        },
        getHandle: (workflowId: string) => ({
          signal: (name: string, arg: unknown) => {
            if (missing.has(workflowId)) return Promise.reject(new WorkflowNotFoundError('no such workflow', workflowId, undefined));
            sent.push({ signal: name, args: [arg] });
            return waitForTest();
          },
        }),
      },
    } as unknown as Client;
    const scrubbing = createScrubbingService({ client, taskQueue: 'unit', manualActionTimeoutMs: 200, directory: { configOf: () => Promise.resolve(config) } });
    return { scrubbing, sent, starts, pending };
  }
  const start = (incidentId: string) => ({ kind: 'started' as const, payload: { incidentId } });
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  test('a lone report is a plain signal; those that arrive while it is in flight go together in the next, in order', async () => {
    const { scrubbing, sent, pending } = scripted();
    const first = scrubbing.deliverReport('ws', start('a'), config.version);
    await settled();
    const rest = ['b', 'c', 'd'].map((id) => scrubbing.deliverReport('ws', id === 'c' ? { kind: 'resolved', payload: { incidentId: 'b' } } : start(id), config.version));
    const other = scrubbing.deliverReport('other', start('x'), config.version); // another workspace does not wait
    await settled();
    expect(sent.map((s) => s.signal)).toEqual(['incidentStarted', 'incidentStarted']);
    pending.shift()!.resolve();
    await first;
    await settled();
    expect(sent[2]).toEqual({
      signal: 'incidentReports',
      args: [{ reports: [start('b'), { kind: 'resolved', payload: { incidentId: 'b' } }, start('d')] }],
    });
    pending.forEach((p) => p.resolve());
    await Promise.all([...rest, other]);
  });

  test('a report is one signal: a configuration version this process has not announced rides on it, once, and a failed signal announces nothing', async () => {
    const { scrubbing, sent, pending } = scripted();
    const deliver = async (report: ReturnType<typeof start> | { kind: 'resolved'; payload: { incidentId: string } }, version: number, outcome: 'resolve' | 'reject' = 'resolve') => {
      const delivered = scrubbing.deliverReport('ws', report, version);
      await settled();
      if (outcome === 'resolve') pending.shift()!.resolve();
      else pending.shift()!.reject(new Error('UNAVAILABLE'));
      await delivered.catch(() => undefined);
    };
    await deliver(start('a'), 1, 'reject');
    await deliver(start('a'), 1);
    await deliver({ kind: 'resolved', payload: { incidentId: 'a' } }, 1);
    await deliver(start('b'), 2);
    await deliver(start('c'), 2);
    expect(sent).toEqual([
      { signal: 'incidentStarted', args: [{ incidentId: 'a', configVersion: 1 }] },
      { signal: 'incidentStarted', args: [{ incidentId: 'a', configVersion: 1 }] }, // the failed one did not count
      { signal: 'incidentResolved', args: [{ incidentId: 'a' }] },
      { signal: 'incidentStarted', args: [{ incidentId: 'b', configVersion: 2 }] },
      { signal: 'incidentStarted', args: [{ incidentId: 'c' }] },
    ]); // and no configPublished signal beside any of them
  });

  test('a report to a running workflow is a plain signal; only when Temporal has no such workflow is it a signal-with-start, and the next report is a plain signal again', async () => {
    const { scrubbing, sent, starts, pending } = scripted(new Set(['scrubbing-new']));
    const first = scrubbing.deliverReport('new', start('a'), config.version);
    await settled();
    expect({ sent, starts }).toEqual({ sent: [], starts: [{ signal: 'incidentStarted', args: [{ incidentId: 'a', configVersion: 1 }] }] });
    pending.shift()!.resolve();
    await first;
    const second = scrubbing.deliverReport('new', { kind: 'resolved', payload: { incidentId: 'a' } }, config.version);
    await settled();
    pending.shift()!.resolve();
    await second;
    expect(sent).toEqual([{ signal: 'incidentResolved', args: [{ incidentId: 'a' }] }]);
    expect(starts).toHaveLength(1);
  });

  test('when a signal fails, every report waiting behind it fails too (none overtakes it), and the next one is sent afresh', async () => {
    const { scrubbing, sent, pending } = scripted();
    const first = scrubbing.deliverReport('ws', start('a'), config.version);
    await settled();
    const behind = [scrubbing.deliverReport('ws', start('b'), config.version), scrubbing.deliverReport('ws', start('c'), config.version)];
    pending.shift()!.reject(new Error('UNAVAILABLE'));
    await expect(first).rejects.toThrow('UNAVAILABLE');
    for (const report of behind) await expect(report).rejects.toThrow('UNAVAILABLE');
    expect(sent).toHaveLength(1);
    const later = scrubbing.deliverReport('ws', start('e'), config.version);
    await settled();
    expect(sent[1]).toMatchObject({ signal: 'incidentStarted', args: [{ incidentId: 'e' }] });
    pending.shift()!.resolve();
    await expect(later).resolves.toBeUndefined();
  });
});
