/**
 * How failures become answers: a database that fails a request under load (seen as `500
 * internal` in the bench's burst) is a 503 the caller retries, like a database outage; an
 * error of ours stays a 500 that names nothing.
 */
import { z } from 'zod';
import { HttpError, toHttpError, validationError } from '../../api/http-errors';

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

test('a validation failure names each field, an unknown one included, and never echoes the input', () => {
  const schema = z.object({ name: z.string(), settings: z.object({ port: z.number() }).strict() }).strict();
  const result = schema.safeParse({ name: 7, settings: { port: 1, 'secret-token-123': 'x' }, extra: 'hunter2' });
  if (result.success) throw new Error('expected a failure');
  const error = validationError(result.error, 'body');
  expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
  expect((error.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['body.extra', 'body.name', 'body.settings.secret-token-123']);
  expect(JSON.stringify(error.details)).not.toContain('hunter2');
});
