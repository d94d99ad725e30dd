/**
 * Where activities load an integration, credentials included: MongoDB with encrypted
 * credentials in production (store/integrations.ts), in memory in tests.
 */
import { IntegrationNotFoundError } from '../catalog/errors';
import type { LoadedIntegration } from '../catalog/contract';

export interface IntegrationStore {
  /**
   * Throws IntegrationNotFoundError when the integration is not the workspace's. A store may serve
   * it from memory (store/record-cache.ts) unless `fresh`: an operator's Test and every retry read
   * the latest, so credentials fixed a moment ago are used at once.
   */
  loadForOperation(workspaceId: string, integrationId: string, options?: { fresh?: boolean }): Promise<LoadedIntegration>;
  /** Removes an integration that was deleted and that the workflow has forgotten. */
  purge(workspaceId: string, integrationId: string): Promise<void>;
}

export class InMemoryIntegrationStore implements IntegrationStore {
  private readonly integrations = new Map<string, LoadedIntegration>();

  put(integration: LoadedIntegration): void {
    this.integrations.set(integration.id, structuredClone(integration));
  }

  remove(integrationId: string): void {
    this.integrations.delete(integrationId);
  }

  purge(_workspaceId: string, integrationId: string): Promise<void> {
    this.integrations.delete(integrationId);
    return Promise.resolve();
  }

  loadForOperation(workspaceId: string, integrationId: string): Promise<LoadedIntegration> {
    const found = this.integrations.get(integrationId);
    if (!found || found.workspaceId !== workspaceId) {
      return Promise.reject(new IntegrationNotFoundError(`integration ${integrationId} not found in workspace ${workspaceId}`));
    }
    return Promise.resolve(structuredClone(found));
  }
}
