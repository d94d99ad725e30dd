/**
 * One error type for the routes and one handler that renders every failure as
 * `{"error": {code, message, details}}`. Details name fields, never echo input;
 * unknown errors become a generic 500 without a stack trace.
 */
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { ConflictError } from '../store/errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function validationError(err: ZodError, where: 'body' | 'params' | 'query'): HttpError {
  // An unknown field is named itself (`body.secret`), not its object.
  const details = err.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [where, ...issue.path, key].join('.'), message: 'unknown field' }))
      : [{ field: [where, ...issue.path].join('.'), message: issue.message }],
  );
  return new HttpError(400, 'validation_failed', `invalid ${where}: ${details.map((d) => d.field).join(', ')}`, details);
}

const DATABASE_OUTAGES = ['MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoNotConnectedError', 'MongoTopologyClosedError'];

function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // With bufferCommands off, mongoose refuses operations while disconnected with a plain MongooseError.
  return DATABASE_OUTAGES.includes(err.name) || (err.name === 'MongooseError' && /connect/i.test(err.message));
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return validationError(err, 'body');
  if (err instanceof ConflictError) return new HttpError(409, 'conflict', err.message);
  const bodyError = err as BodyParserError;
  if (bodyError?.type === 'entity.too.large') return new HttpError(413, 'body_too_large', 'request body is too large');
  if (bodyError?.type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  if (bodyError?.type === 'encoding.unsupported' || bodyError?.type === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_encoding', 'unsupported body encoding');
  }
  if (err instanceof WorkflowNotFoundError) return new HttpError(404, 'not_found', 'no scrubbing workflow for this workspace');
  if (err instanceof ServiceError && (err.cause as { code?: unknown } | undefined)?.code === 8) {
    // RESOURCE_EXHAUSTED: Temporal's own rate limit for the namespace.
    return new HttpError(429, 'temporal_busy', 'Temporal is rate limiting this namespace; retry in a second');
  }
  if (err instanceof ServiceError) return new HttpError(503, 'temporal_unavailable', 'Temporal is unavailable; try again');
  if (isDatabaseUnavailable(err)) return new HttpError(503, 'database_unavailable', 'the database is unavailable; try again');
  // The database failed the request (a server error under load, a pool wait that ran out): try again, not a bug of ours.
  if (err instanceof Error && /^Mongo[A-Za-z]*Error$/.test(err.name)) return new HttpError(503, 'database_unavailable', 'the database failed the request; try again');
  return new HttpError(500, 'internal', 'internal error');
}

export { toHttpError };

export const renderError: ErrorRequestHandler = (err, _req, res, _next) => {
  const httpError = toHttpError(err);
  // The request log line names the error; an unexpected one only by its class, never its message.
  res.locals.errorCode = httpError.code === 'internal' ? `internal (${err instanceof Error ? err.name : typeof err})` : httpError.code;
  if (httpError.status === 429 && !res.get('Retry-After')) res.set('Retry-After', '1');
  res.status(httpError.status).json({ error: { code: httpError.code, message: httpError.message, details: httpError.details } });
};
