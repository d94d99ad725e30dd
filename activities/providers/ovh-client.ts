/**
 * OVH API client: `$1$` + SHA-1 request signing over the exact URL and body sent,
 * the server clock offset from `/auth/time` (taken once per base URL, refreshed
 * once on a signature error), and error classification (README, Providers: OVH). API v2
 * routes (`/v2/…` on the same host) are signed alike, with the /1.0 API's clock offset.
 * Secrets are used for signing only and never appear in an error.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { createHash } from 'node:crypto';
import { send } from './http';
import { ProviderAuthError, ProviderError, ProviderRateLimitedError, ProviderRejectedError, ProviderUnavailableError, parseRetryAfter } from '../../catalog/errors';

export interface OvhCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface OvhSignatureInput {
  applicationSecret: string;
  consumerKey: string;
  method: string;
  url: string;
  body: string;
  timestamp: number;
}

export function ovhSignature(input: OvhSignatureInput): string {
  const preImage = [input.applicationSecret, input.consumerKey, input.method.toUpperCase(), input.url, input.body, input.timestamp].join('+');
  return `$1$${createHash('sha1').update(preImage).digest('hex')}`;
}

interface OvhErrorBody {
  class?: string;
  message?: string;
  errorCode?: string;
}

function classifyOvhResponse(response: AxiosResponse<unknown>, nowMs = Date.now()): ProviderError | null {
  if (response.status >= 200 && response.status < 300) return null;
  const body = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as OvhErrorBody;
  const code = body.errorCode ?? body.class;
  const queryId = response.headers?.['x-ovh-queryid'];
  const details = {
    status: response.status,
    ...(code ? { providerCode: code } : {}),
    ...(typeof queryId === 'string' ? { requestId: queryId } : {}),
  };
  const text = `ovh: HTTP ${response.status}${code ? ` [${code}]` : ''} ${body.message ?? ''}`.trim();
  if (response.status === 401 || response.status === 403) return new ProviderAuthError(text, details);
  if (response.status === 400 && /signature/i.test(body.message ?? '')) return new ProviderAuthError(text, details);
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers?.['retry-after'], nowMs);
    return new ProviderRateLimitedError(text, retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (response.status >= 500) return new ProviderUnavailableError(text, details);
  return new ProviderRejectedError(text, details);
}

function isSignatureError(response: AxiosResponse<unknown>): boolean {
  const message = (response.data as OvhErrorBody | undefined)?.message ?? '';
  return response.status === 400 && /signature|timestamp|time/i.test(message);
}

/** The v2 API beside a /1.0 base URL (`https://eu.api.ovh.com/1.0` → `https://eu.api.ovh.com/v2`). */
export function ovhV2Base(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/1\.0$/.test(base) ? base.replace(/\/1\.0$/, '/v2') : `${base}/v2`;
}

/** One client per adapter; the clock offset is shared by every call to the same base URL. */
export class OvhClient {
  private readonly clockOffsets = new Map<string, number>();

  constructor(private readonly http: AxiosInstance) {}

  private async clockOffset(baseUrl: string, refresh: boolean): Promise<number> {
    const cached = this.clockOffsets.get(baseUrl);
    if (cached !== undefined && !refresh) return cached;
    const response = await send<unknown>(this.http, 'ovh', { method: 'GET', url: `${baseUrl}/auth/time` });
    const serverTime = Number(response.data);
    if (response.status !== 200 || !Number.isInteger(serverTime)) {
      throw classifyOvhResponse(response) ?? new ProviderUnavailableError('ovh: /auth/time did not answer a time');
    }
    const offset = serverTime - Math.round(Date.now() / 1000);
    this.clockOffsets.set(baseUrl, offset);
    return offset;
  }

  /**
   * Sends a signed request. Returns the response for 2xx and 404/409 (callers decide
   * what those mean); throws a classified ProviderError for everything else.
   */
  call<T>(baseUrl: string, credentials: OvhCredentials, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<AxiosResponse<T>> {
    return this.signed<T>(baseUrl, `${baseUrl}${path}`, credentials, method, body);
  }

  /** A GET on the v2 API beside `baseUrl` (a /1.0 base): `path` with its query, encoded exactly as it is to be signed. */
  getV2<T>(baseUrl: string, credentials: OvhCredentials, path: string): Promise<AxiosResponse<T>> {
    return this.signed<T>(baseUrl, `${ovhV2Base(baseUrl)}${path}`, credentials, 'GET');
  }

  private async signed<T>(clockBase: string, url: string, credentials: OvhCredentials, method: 'GET' | 'POST' | 'PUT', body?: unknown): Promise<AxiosResponse<T>> {
    for (const refresh of [false, true]) {
      const offset = await this.clockOffset(clockBase, refresh);
      const bodyText = body === undefined ? '' : JSON.stringify(body);
      const timestamp = Math.round(Date.now() / 1000) + offset;
      const response = await send<T>(this.http, 'ovh', {
        method,
        url,
        // Send exactly the signed bytes: no re-serialisation by axios.
        data: body === undefined ? undefined : bodyText,
        transformRequest: [(data: unknown) => data],
        headers: {
          'X-Ovh-Application': credentials.applicationKey,
          'X-Ovh-Consumer': credentials.consumerKey,
          'X-Ovh-Timestamp': String(timestamp),
          'X-Ovh-Signature': ovhSignature({ ...credentials, method, url, body: bodyText, timestamp }),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      });
      if (!refresh && isSignatureError(response)) continue; // maybe our clock drifted: resync once
      if (response.status === 404 || response.status === 409) return response;
      const error = classifyOvhResponse(response);
      if (error) throw error;
      return response;
    }
    throw new ProviderUnavailableError('ovh: unreachable'); // not reached: the loop returns or throws
  }
}
