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
  | 'channels.manage';

const ANY: readonly Role[] = ['owner', 'admin', 'detector', 'viewer'];

/** Who may do what. Managing cloud scrubbing integrations needs admin or owner. */
export const RIGHTS: Record<Right, readonly Role[]> = {
  'workspace.read': ANY,
  'workspace.update': ['owner', 'admin'],
  'apiKeys.manage': ['owner'],
  'integrations.read': ANY,
  'integrations.write': ['owner', 'admin'],
  'incidents.report': ['owner', 'admin', 'detector'],
  'scrubbing.read': ANY,
  'events.read': ANY,
  'channels.manage': ['owner', 'admin'],
};

export type Caller = { kind: 'admin' } | { kind: 'key'; keyId: string; workspace: string; role: Role };

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
}

export function authenticate(options: AuthOptions): RequestHandler {
  const admin = digest(options.adminToken);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const touched = new Map<string, number>();

  function spend(id: string, now: number): number {
    const capacity = options.requestsPerMinute;
    const bucket = buckets.get(id) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 60_000) * capacity);
    bucket.at = now;
    buckets.set(id, bucket);
    if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) / capacity) * 60);
    bucket.tokens -= 1;
    return 0;
  }

  return async (req, res, next) => {
    const match = /^Bearer ([!-~]{1,512})$/.exec(req.get('authorization') ?? '');
    if (!match) throw new HttpError(401, 'unauthorized', 'missing or malformed bearer token');
    const token = match[1] as string;
    let caller: Caller;
    if (timingSafeEqual(digest(token), admin)) {
      caller = { kind: 'admin' };
    } else {
      const key = await options.apiKeys.authenticate(token);
      if (!key) throw new HttpError(401, 'unauthorized', 'invalid or revoked API key');
      caller = { kind: 'key', keyId: key.id, workspace: key.workspace, role: key.role };
    }
    const now = Date.now();
    const id = caller.kind === 'key' ? caller.keyId : 'admin';
    const wait = spend(id, now);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      throw new HttpError(429, 'rate_limited', `too many requests for this key; retry in ${wait} s`);
    }
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
