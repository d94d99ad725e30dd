/**
 * The HTTP plumbing adapters share: an axios instance that never throws on a
 * status (each adapter classifies answers itself) and never retries (Temporal
 * does), and a request helper that turns transport failures into retryable errors.
 */
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { networkError } from '../../catalog/errors';

const DEFAULT_HTTP_TIMEOUT_MS = 20_000;

export function createHttpClient(baseURL: string, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): AxiosInstance {
  return axios.create({
    baseURL: baseURL.replace(/\/+$/, ''),
    timeout: timeoutMs,
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { 'User-Agent': 'scrubbing-orchestrator' },
  });
}

/** Sends a request; a failure without a response (refused, reset, timeout) becomes ProviderUnavailableError. */
export async function send<T = unknown>(http: AxiosInstance, provider: string, config: AxiosRequestConfig): Promise<AxiosResponse<T>> {
  try {
    return await http.request<T>(config);
  } catch (err) {
    throw networkError(provider, err);
  }
}

/** Encodes one URL path segment (IDs come from configuration and must not change the path). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
