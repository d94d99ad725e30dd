/**
 * What the routes ask for, one function each: storage, the audit trail and keeping the
 * workspace workflow's configuration current. Never returns a credential or a key hash.
 */
import type { ApiKeyRepository, Role } from '../store/api-keys';
import type { AuditRepository } from '../store/audit';
import type { ChannelInput, ChannelRepository } from '../store/channels';
import type { IntegrationInput, IntegrationRepository } from '../store/integrations';
import type { PolicyPatch, WorkspaceRepository } from '../store/workspaces';
import { HttpError } from './http-errors';
import type { ScrubbingService } from './scrubbing-service';

export interface ServiceDependencies {
  workspaces: WorkspaceRepository;
  apiKeys: ApiKeyRepository;
  integrations: IntegrationRepository;
  channels: ChannelRepository;
  audit: AuditRepository;
  scrubbing: ScrubbingService;
}

export function createServices(deps: ServiceDependencies) {
  const { workspaces, apiKeys, integrations, channels, audit, scrubbing } = deps;

  /** After any configuration change: a new version, then the snapshot to the running workflow. */
  async function configChanged(workspace: string): Promise<boolean> {
    await workspaces.bumpConfigVersion(workspace);
    return scrubbing.publishConfig(workspace);
  }

  return {
    async createWorkspace(input: { id: string; name: string; holdDownSeconds?: number; policy?: PolicyPatch }) {
      const workspace = await workspaces.create(input);
      const owner = await apiKeys.create(workspace.id, 'owner', 'owner');
      await audit.record({ workspace: workspace.id, actor: 'admin', action: 'workspace.create', outcome: 'ok', detail: workspace.name });
      return { workspace, owner };
    },

    async getWorkspace(id: string) {
      const workspace = await workspaces.get(id);
      if (!workspace) throw new HttpError(404, 'not_found', 'workspace not found');
      return workspace;
    },

    async updateWorkspace(id: string, patch: { name?: string; holdDownSeconds?: number; policy?: PolicyPatch }, actor: string) {
      const workspace = await workspaces.update(id, patch);
      if (!workspace) throw new HttpError(404, 'not_found', 'workspace not found');
      await scrubbing.publishConfig(id);
      await audit.record({ workspace: id, actor, action: 'workspace.update', outcome: 'ok', detail: Object.keys(patch).join(', ') });
      return workspace;
    },

    async createApiKey(workspace: string, name: string, role: Role, actor: string) {
      const created = await apiKeys.create(workspace, name, role);
      await audit.record({ workspace, actor, action: 'apiKey.create', outcome: 'ok', detail: `${created.apiKey.id} (${role})` });
      return created;
    },

    listApiKeys: (workspace: string) => apiKeys.list(workspace),

    async revokeApiKey(workspace: string, keyId: string, actor: string) {
      if (!(await apiKeys.revoke(workspace, keyId))) throw new HttpError(404, 'not_found', 'API key not found');
      await audit.record({ workspace, actor, action: 'apiKey.revoke', outcome: 'ok', detail: keyId });
    },

    async createIntegration(workspace: string, input: IntegrationInput, actor: string) {
      const integration = await integrations.create(workspace, input);
      await configChanged(workspace);
      await audit.record({ workspace, actor, action: 'integration.create', integration: integration.id, outcome: 'ok', detail: `${input.type} ${input.name}` });
      return integration;
    },

    listIntegrations: (workspace: string) => integrations.list(workspace),

    async getIntegration(workspace: string, id: string) {
      const integration = await integrations.get(workspace, id);
      if (!integration) throw new HttpError(404, 'not_found', 'integration not found');
      return integration;
    },

    async updateIntegration(workspace: string, id: string, patch: Partial<Omit<IntegrationInput, 'type'>>, actor: string) {
      const integration = await integrations.update(workspace, id, patch);
      if (!integration) throw new HttpError(404, 'not_found', 'integration not found');
      await configChanged(workspace);
      await audit.record({ workspace, actor, action: 'integration.update', integration: id, outcome: 'ok', detail: Object.keys(patch).join(', ') });
      return integration;
    },

    /**
     * Deletes an integration: it leaves the configuration now; a running workflow withdraws it
     * if diverted and then removes the record. Returns whether removal is still pending.
     */
    async deleteIntegration(workspace: string, id: string, actor: string): Promise<{ pending: boolean }> {
      if (!(await integrations.markDeleted(workspace, id))) throw new HttpError(404, 'not_found', 'integration not found');
      const running = await configChanged(workspace);
      if (!running) await integrations.purge(workspace, id);
      await audit.record({ workspace, actor, action: 'integration.delete', integration: id, outcome: running ? 'requested' : 'ok' });
      return { pending: running };
    },

    async testIntegration(workspace: string, id: string, actor: string) {
      if (!(await integrations.get(workspace, id))) throw new HttpError(404, 'not_found', 'integration not found');
      const entry = { workspace, actor, action: 'integration.test', integration: id };
      try {
        const result = await scrubbing.testIntegration(workspace, id);
        await audit.record({ ...entry, outcome: result.ok ? 'ok' : 'failed', detail: result.summary });
        return result;
      } catch (err) {
        await audit.record({ ...entry, outcome: 'failed', detail: err instanceof HttpError ? err.message : 'test failed' });
        throw err;
      }
    },

    listEvents: (workspace: string, options: { limit: number; before?: string }) => audit.list(workspace, options),

    // A channel's arrival or departure changes the configuration (whether the workflow notifies).
    async createChannel(workspace: string, input: ChannelInput, actor: string) {
      const channel = await channels.create(workspace, input);
      await configChanged(workspace);
      await audit.record({ workspace, actor, action: 'channel.create', outcome: 'ok', detail: `${channel.id} ${input.type} ${input.name}` });
      return channel;
    },

    listChannels: (workspace: string) => channels.list(workspace),

    async getChannel(workspace: string, id: string) {
      const channel = await channels.get(workspace, id);
      if (!channel) throw new HttpError(404, 'not_found', 'notification channel not found');
      return channel;
    },

    async updateChannel(workspace: string, id: string, patch: Partial<Omit<ChannelInput, 'type'>>, actor: string) {
      const channel = await channels.update(workspace, id, patch);
      if (!channel) throw new HttpError(404, 'not_found', 'notification channel not found');
      await audit.record({ workspace, actor, action: 'channel.update', outcome: 'ok', detail: `${id}: ${Object.keys(patch).join(', ')}` });
      return channel;
    },

    async deleteChannel(workspace: string, id: string, actor: string) {
      if (!(await channels.remove(workspace, id))) throw new HttpError(404, 'not_found', 'notification channel not found');
      await configChanged(workspace);
      await audit.record({ workspace, actor, action: 'channel.delete', outcome: 'ok', detail: id });
    },
  };
}

export type Services = ReturnType<typeof createServices>;
