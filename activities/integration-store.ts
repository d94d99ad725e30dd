/**
 * Where activities load an integration, credentials included. Issue C puts a
 * MongoDB-backed, encrypted implementation behind this interface; the
 * in-memory one serves tests and the dev stack until then.
 */
import { IntegrationNotFoundError } from './providers/errors';
import type { LoadedIntegration } from './providers/types';

export interface IntegrationStore {
  /** Throws IntegrationNotFoundError when the integration is not the workspace's. */
  loadForOperation(workspaceId: string, integrationId: string): Promise<LoadedIntegration>;
}

export class InMemoryIntegrationStore implements IntegrationStore {
  private readonly integrations = new Map<string, LoadedIntegration>();

  put(integration: LoadedIntegration): void {
    this.integrations.set(integration.id, structuredClone(integration));
  }

  remove(integrationId: string): void {
    this.integrations.delete(integrationId);
  }

  loadForOperation(workspaceId: string, integrationId: string): Promise<LoadedIntegration> {
    const found = this.integrations.get(integrationId);
    if (!found || found.workspaceId !== workspaceId) {
      return Promise.reject(new IntegrationNotFoundError(`integration ${integrationId} not found in workspace ${workspaceId}`));
    }
    return Promise.resolve(structuredClone(found));
  }
}
