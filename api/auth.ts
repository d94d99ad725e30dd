/**
 * Authentication, the rights table and per-key rate limits. A key only ever sees its
 * own workspace: another workspace's routes answer 404 (never a 403 that confirms it
 * exists). The server admin token only creates workspaces.
 */
import type { RequestHandler, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRepository, Role } from '../store/api-keys';
import { HttpError } from './http-errors';

export type Right =
  | 'workspace.read'
  | 'workspace.update'
  | 'apiKeys.manage'
  | 'integrations.read'
  | 'integrations.write'
  | 'incidents.report'
  | 'scrubbing.read'
  | 'events.read'
  | 'channels.manage'
  | 'detectors.read'
  | 'detectors.manage';

const ANY: readonly Role[] = ['owner', 'admin', 'detector', 'viewer'];

/** Who may do what. Managing cloud scrubbing integrations needs admin or owner. */
const RIGHTS: Record<Right, readonly Role[]> = {
  'workspace.read': ANY,
  'workspace.update': ['owner', 'admin'],
  'apiKeys.manage': ['owner'],
  'integrations.read': ANY,
  'integrations.write': ['owner', 'admin'],
  'incidents.report': ['owner', 'admin', 'detector'],
  'scrubbing.read': ANY,
  'events.read': ANY,
  'channels.manage': ['owner', 'admin'],
  'detectors.read': ANY,
  'detectors.manage': ['owner', 'admin'],
};

export type Caller = { kind: 'admin' } | { kind: 'key'; keyId: string; keyName: string; workspace: string; role: Role };

/** The rights a role has, for clients that offer only what a key may do (the checks stay here). */
export function rightsOf(role: Role): Right[] {
  return (Object.keys(RIGHTS) as Right[]).filter((right) => RIGHTS[right].includes(role));
}

/** Who is calling: set by `authenticate` on every /v1 route. */
export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** The acting key's id for the audit trail. */
export function actorOf(res: Response): string {
  const caller = callerOf(res);
  return caller.kind === 'key' ? caller.keyId : 'admin';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface AuthOptions {
  apiKeys: ApiKeyRepository;
  adminToken: string;
  requestsPerMinute: number;
  /** Failed authentications (401) allowed per source address and minute; then 429 until the bucket refills. */
  authFailuresPerMinute: number;
}

/** Source addresses whose failures are remembered; the least recently failing are forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** Token buckets refilled continuously: `capacity` per minute. */
export function tokenBuckets(capacity: number, maxEntries = Infinity) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refilled = (id: string, now: number) => {
    const bucket = buckets.get(id) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 60_000) * capacity);
    bucket.at = now;
    buckets.delete(id); // re-inserted last: the map stays in least-recently-used order
    buckets.set(id, bucket);
    if (buckets.size > maxEntries) buckets.delete(buckets.keys().next().value as string);
    return bucket;
  };
  return {
    /** Seconds to wait before `id` may spend again; 0 = spent one now. */
    spend(id: string, now: number): number {
      const bucket = refilled(id, now);
      if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) / capacity) * 60);
      bucket.tokens -= 1;
      return 0;
    },
    /** Seconds until `id` may spend again, without spending. */
    waitFor(id: string, now: number): number {
      if (!buckets.has(id)) return 0;
      const bucket = refilled(id, now);
      return bucket.tokens < 1 ? Math.ceil(((1 - bucket.tokens) / capacity) * 60) : 0;
    },
  };
}

export function authenticate(options: AuthOptions): RequestHandler {
  const admin = digest(options.adminToken);
  const perKey = tokenBuckets(options.requestsPerMinute);
  const failures = tokenBuckets(options.authFailuresPerMinute, MAX_TRACKED_ADDRESSES);
  const touched = new Map<string, number>();

  const limited = (res: Response, wait: number, message: string) => {
    res.set('Retry-After', String(wait));
    return new HttpError(429, 'rate_limited', `${message}; retry in ${wait} s`);
  };

  return async (req, res, next) => {
    const source = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const blocked = failures.waitFor(source, Date.now());
    if (blocked > 0) throw limited(res, blocked, 'too many failed authentications from this address');
    const refuse = (message: string) => {
      failures.spend(source, Date.now());
      return new HttpError(401, 'unauthorized', message);
    };
    const match = /^Bearer ([!-~]{1,512})$/.exec(req.get('authorization') ?? '');
    if (!match) throw refuse('missing or malformed bearer token');
    const token = match[1] as string;
    let caller: Caller;
    if (timingSafeEqual(digest(token), admin)) {
      caller = { kind: 'admin' };
    } else {
      const key = await options.apiKeys.authenticate(token);
      if (!key) throw refuse('invalid or revoked API key');
      caller = { kind: 'key', keyId: key.id, keyName: key.name, workspace: key.workspace, role: key.role };
    }
    const now = Date.now();
    const id = caller.kind === 'key' ? caller.keyId : 'admin';
    const wait = perKey.spend(id, now);
    if (wait > 0) throw limited(res, wait, 'too many requests for this key');
    if (caller.kind === 'key' && now - (touched.get(caller.keyId) ?? 0) > 60_000) {
      touched.set(caller.keyId, now);
      void options.apiKeys.touch(caller.keyId, new Date(now)).catch(() => undefined); // best effort
    }
    res.locals.caller = caller;
    next();
  };
}

/** Allows the route to keys of the workspace in `:ws` whose role has `right`. */
export function allow(right: Right): RequestHandler<{ ws?: string }> {
  return (req, res, next) => {
    const caller = callerOf(res);
    if (caller.kind !== 'key' || caller.workspace !== req.params.ws) throw new HttpError(404, 'not_found', 'workspace not found');
    if (!RIGHTS[right].includes(caller.role)) throw new HttpError(403, 'forbidden', `the ${caller.role} role may not do this (${right})`);
    next();
  };
}

export const adminOnly: RequestHandler = (_req, res, next) => {
  if (callerOf(res).kind !== 'admin') throw new HttpError(403, 'forbidden', 'only the server admin token may create workspaces');
  next();
};
