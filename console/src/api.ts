/**
 * The console's only way to the API: same origin, the key from the session as a bearer
 * token, JSON in and out, and every refusal as an ApiError carrying the API's code, message
 * and field details. A 401 forgets the key and tells the app to ask for one again.
 */
import { forgetKey, storedKey } from './session';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    /** The body as the API sent it (a failed manual action's details hold the integration's state). */
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

/** Any thrown value as an ApiError: a network failure or a bug in the page becomes status 0, `client_error`. */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'client_error', err instanceof Error ? err.message : String(err));
}

const signedOutListeners = new Set<() => void>();

/** Called whenever the API refuses the key (revoked, expired session): the app returns to sign-in. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** A path under /v1 with each segment encoded: names and ids never change the path's shape. */
export function v1(...segments: string[]): string {
  return `/v1/${segments.map(encodeURIComponent).join('/')}`;
}

/** Workspace-scoped path: /v1/workspaces/<ws>/... */
export function wsPath(workspaceId: string, ...segments: string[]): string {
  return v1('workspaces', workspaceId, ...segments);
}

export interface Answer<T> {
  status: number;
  body: T;
}

export async function call<T>(method: string, path: string, body?: unknown, key = storedKey()): Promise<Answer<T>> {
  if (!key) {
    signedOutListeners.forEach((listener) => listener());
    throw new ApiError(401, 'unauthorized', 'sign in with an API key');
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, 'network', 'the API did not answer (network error)');
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown[] } } | undefined)?.error;
    const details = (error?.details ?? []).filter((d): d is FieldProblem => typeof d === 'object' && d !== null && typeof (d as FieldProblem).field === 'string');
    if (response.status === 401 && key === storedKey()) {
      forgetKey();
      signedOutListeners.forEach((listener) => listener());
    }
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `the API answered ${response.status}`, details, parsed);
  }
  return { status: response.status, body: parsed as T };
}

export const get = async <T>(path: string) => (await call<T>('GET', path)).body;

/** The API's own document, the schemas it validates with (no key needed). */
export async function openApiDocument(): Promise<unknown> {
  const response = await fetch('/openapi.json', { credentials: 'omit', cache: 'no-cache' });
  if (!response.ok) throw new ApiError(response.status, 'http_error', `/openapi.json answered ${response.status}`);
  return response.json();
}
