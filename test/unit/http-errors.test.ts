/**
 * How failures become answers: a database that fails a request under load (seen as `500
 * internal` in the bench's burst) is a 503 the caller retries, like a database outage; an
 * error of ours stays a 500 that names nothing.
 */
import { HttpError, toHttpError } from '../../api/http-errors';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

test.each([
  ['MongoServerError', 'could not serialize access due to concurrent update'],
  ['MongoWaitQueueTimeoutError', 'Timed out while checking out a connection from connection pool'],
  ['MongoNetworkError', 'connection reset'],
  ['MongoServerSelectionError', 'no server'],
])('%s is a 503 database_unavailable', (name, message) => {
  expect(toHttpError(named(name, message))).toMatchObject({ status: 503, code: 'database_unavailable' });
});

test('our own errors stay a 500 internal; an HttpError is itself', () => {
  expect(toHttpError(new TypeError('undefined is not a function'))).toMatchObject({ status: 500, code: 'internal' });
  expect(toHttpError(named('MongooseServerTypo'))).toMatchObject({ status: 500 });
  const refused = new HttpError(429, 'intake_queue_full', 'full');
  expect(toHttpError(refused)).toBe(refused);
});
