/**
 * How the worker, the API and the search-attribute registration reach Temporal: Temporal's
 * standard environment variables and profile file (`@temporalio/envconfig`), so one set of
 * settings works for a local dev server, a self-hosted cluster with TLS or mutual TLS, and
 * Temporal Cloud (API key or mTLS):
 *
 * - `TEMPORAL_ADDRESS` (default 127.0.0.1:7233), `TEMPORAL_NAMESPACE` (default `default`),
 *   `TEMPORAL_API_KEY` (turns TLS on), `TEMPORAL_TLS` (true/false),
 *   `TEMPORAL_TLS_CLIENT_CERT_PATH` / `_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH` / `_DATA`,
 *   `TEMPORAL_TLS_SERVER_CA_CERT_PATH` / `_DATA`, `TEMPORAL_TLS_SERVER_NAME`,
 *   `TEMPORAL_GRPC_META_<NAME>`;
 * - `TEMPORAL_CONFIG_FILE` and `TEMPORAL_PROFILE` (a TOML profile file, by default
 *   ~/.config/temporalio/temporal.toml); environment variables override the profile.
 *
 * `TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=false` skips registering the workflow's search
 * attributes (a Temporal Cloud API key may not be allowed to; create them once yourself).
 * Nothing here is logged but the address, the namespace and whether TLS is on.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

export interface TemporalConnectionSettings {
  /** For `Connection.connect` (API, registration) and `NativeConnection.connect` (worker) alike. */
  options: { address: string; tls?: TLSConfig | boolean; apiKey?: string; metadata?: Record<string, string> };
  namespace: string;
  registerSearchAttributes: boolean;
  /** What may be logged: no key, certificate or metadata value. */
  summary: { address: string; namespace: string; tls: boolean; apiKey: boolean };
}

export function temporalConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (err) {
    // The message names the variable or file, never a value.
    throw new Error(`invalid Temporal connection configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { address, tls, apiKey, metadata } = loaded.connectionOptions;
  if (typeof apiKey === 'function') throw new Error('invalid Temporal connection configuration: the API key must be a string');
  const register = (env.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES ?? 'true').toLowerCase();
  if (!['true', 'false'].includes(register)) throw new Error('invalid configuration: TEMPORAL_REGISTER_SEARCH_ATTRIBUTES must be true or false');
  const options = {
    address: address ?? '127.0.0.1:7233',
    ...(tls === undefined || tls === null ? {} : { tls }),
    ...(apiKey ? { apiKey } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata: metadata as Record<string, string> } : {}),
  };
  return {
    options,
    namespace: loaded.namespace ?? 'default',
    registerSearchAttributes: register === 'true',
    summary: { address: options.address, namespace: loaded.namespace ?? 'default', tls: tls !== undefined && tls !== null && tls !== false, apiKey: Boolean(apiKey) },
  };
}
