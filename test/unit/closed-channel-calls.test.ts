/**
 * The Temporal client retries a failed call in a timer that closing the connection does not clear; the tests'
 * setup (test/support/closed-channel-calls.ts) makes that late retry end as cancelled. Without it, this file
 * fails: the retry throws "Channel has been shut down" from the timer after the test, and Jest reports it.
 */
import { Connection, makeGrpcRetryInterceptor, defaultGrpcRetryOptions } from '@temporalio/client';
import { freePort } from '../support/net';

test('a call retrying when its connection closes ends with an error instead of throwing from a timer', async () => {
  let scheduled!: () => void;
  const retryScheduled = new Promise<void>((resolve) => (scheduled = resolve));
  const defaults = defaultGrpcRetryOptions();
  // Nothing listens on the port: each attempt fails at once (UNAVAILABLE), and the next waits 200 ms.
  const connection = Connection.lazy({
    address: `127.0.0.1:${await freePort()}`,
    interceptors: [
      makeGrpcRetryInterceptor({
        ...defaults,
        delayFunction: () => {
          scheduled();
          return 200;
        },
      }),
    ],
  });
  const outcome = connection.workflowService.getSystemInfo({}).then(
    () => 'answered',
    (err: Error) => err.message,
  );
  await retryScheduled;
  await connection.close();
  await expect(outcome).resolves.toMatch(/CANCELLED|shut down/);
});
