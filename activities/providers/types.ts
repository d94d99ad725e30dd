/**
 * The one interface every provider adapter implements. Adapters receive the
 * stored integration (decrypted credentials included) per call and keep no
 * state between calls; they never log.
 */

export interface LoadedIntegration {
  id: string;
  workspaceId: string;
  type: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export interface ProviderStatus {
  /** Whether the provider diverts (or is switching to divert) traffic. */
  diverted: boolean;
  /** A change was accepted but is not in effect yet. */
  pending: boolean;
  /** One line for operators, e.g. "prefix 192.0.2.0/24 advertised". */
  detail: string;
}

export interface ProviderTestResult {
  ok: boolean;
  summary: string;
  warnings: string[];
}

export interface ProviderAdapter {
  activate(integration: LoadedIntegration): Promise<ProviderStatus>;
  withdraw(integration: LoadedIntegration): Promise<ProviderStatus>;
  status(integration: LoadedIntegration): Promise<ProviderStatus>;
  test(integration: LoadedIntegration): Promise<ProviderTestResult>;
}

export type ProviderRegistry = Partial<Record<string, ProviderAdapter>>;
