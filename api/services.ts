/**
 * What the routes ask for, one function each: storage, the audit trail and keeping the
 * workspace workflow's configuration current. Never returns a credential or a key hash.
 */
import type { ApiKeyRepository, Role } from '../store/api-keys';
import type { AuditFilters, AuditRepository } from '../store/audit';
import type { ChannelInput, ChannelRepository } from '../store/channels';
import type { DetectorSourceInput, DetectorSourceRepository } from '../store/detector-sources';
import type { HistoryOptions, IncidentRepository } from '../store/incidents';
import type { IntegrationInput, IntegrationRepository } from '../store/integrations';
import type { ManualHoldRepository } from '../store/manual-holds';
import type { PolicyPatch, WorkspaceRepository } from '../store/workspaces';
import { PUBLIC_HTTPS_ONLY, refusedUrl, type OutboundPolicy } from '../activities/outbound/destination';
import { HttpError } from './http-errors';
import { DEFAULT_WORKSPACE_LIMITS, limitReached, scopeSize, type WorkspaceLimits } from './limits';
import type { ScrubbingService } from './scrubbing-service';

export interface ServiceDependencies {
  workspaces: WorkspaceRepository;
  apiKeys: ApiKeyRepository;
  integrations: IntegrationRepository;
  channels: ChannelRepository;
  detectorSources: DetectorSourceRepository;
  audit: AuditRepository;
  incidents: IncidentRepository;
  /** Manual actions kept for a run that starts without a predecessor (store/manual-holds.ts); forgotten with their integration. */
  manualHolds?: Pick<ManualHoldRepository, 'forget'>;
  scrubbing: ScrubbingService;
  limits?: Partial<WorkspaceLimits>;
  /** Where channel URLs may point (activities/outbound/destination.ts); default: public https only. */
  outbound?: OutboundPolicy;
  /** A key was revoked: forget it wherever it is remembered (api/key-cache.ts), so it stops working at once. */
  forgetKey?: (keyId: string) => void;
}

export function createServices(deps: ServiceDependencies) {
  const { workspaces, apiKeys, integrations, channels, detectorSources, audit, incidents, scrubbing } = deps;
  const limits: WorkspaceLimits = { ...DEFAULT_WORKSPACE_LIMITS, ...deps.limits };

  async function refuse(workspace: string, actor: string, field: string, message: string): Promise<never> {
    await audit.record({ workspace, actor, action: 'limit.reached', outcome: 'failed', detail: message });
    throw limitReached(field, message);
  }

  /**
   * Creates within a cap: refused (422, audited) when the workspace is at it; checked again
   * after the write, so a racing create that took the last place undoes this one.
   */
  async function withinCap<T>(
    cap: { workspace: string; actor: string; field: string; what: string; max: number; count: () => Promise<number> },
    create: () => Promise<T>,
    undo: (created: T) => Promise<void>,
  ): Promise<T> {
    const full = `the workspace has reached its limit of ${cap.max} ${cap.what}; delete one first`;
    if ((await cap.count()) >= cap.max) return refuse(cap.workspace, cap.actor, cap.field, full);
    const created = await create();
    if ((await cap.count()) > cap.max) {
      await undo(created);
      return refuse(cap.workspace, cap.actor, cap.field, full);
    }
    return created;
  }

  /** A channel's URL (a webhook's settings.url, a Slack webhookUrl) must be a destination the worker may call: 422 naming the field. */
  function checkDestination(type: ChannelInput['type'], parts: Partial<Pick<ChannelInput, 'settings' | 'secrets'>>): void {
    const [field, url] = type === 'webhook' ? ['body.settings.url', parts.settings?.url] : type === 'slack' ? ['body.secrets.webhookUrl', parts.secrets?.webhookUrl] : [];
    if (typeof url !== 'string' || !field) return;
    const refused = refusedUrl(url, type as 'webhook' | 'slack', deps.outbound ?? PUBLIC_HTTPS_ONLY);
    if (refused) throw new HttpError(422, 'destination_refused', `${field}: ${refused}`, [{ field, message: refused }]);
  }

  async function checkScope(workspace: string, actor: string, scope: IntegrationInput['scope'], except?: string): Promise<void> {
    if (scopeSize(scope) === 0) return;
    const total = (await integrations.scopeEntries(workspace, except)) + scopeSize(scope);
    if (total > limits.scopeEntries) {
      await refuse(workspace, actor, 'body.scope', `the workspace's integrations would hold ${total} scope entries; the limit is ${limits.scopeEntries}`);
    }
  }

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
      const created = await withinCap(
        { workspace, actor, field: 'body', what: 'active API keys', max: limits.apiKeys, count: () => apiKeys.countActive(workspace) },
        () => apiKeys.create(workspace, name, role),
        ({ apiKey }) => apiKeys.remove(workspace, apiKey.id),
      );
      await audit.record({ workspace, actor, action: 'apiKey.create', outcome: 'ok', detail: `${created.apiKey.id} (${role})` });
      return created;
    },

    listApiKeys: (workspace: string) => apiKeys.list(workspace),

    async revokeApiKey(workspace: string, keyId: string, actor: string) {
      if (!(await apiKeys.revoke(workspace, keyId))) throw new HttpError(404, 'not_found', 'API key not found');
      deps.forgetKey?.(keyId);
      await apiKeys.pruneRevoked(workspace, limits.apiKeys);
      await audit.record({ workspace, actor, action: 'apiKey.revoke', outcome: 'ok', detail: keyId });
    },

    async createIntegration(workspace: string, input: IntegrationInput, actor: string) {
      await checkScope(workspace, actor, input.scope);
      const integration = await withinCap(
        { workspace, actor, field: 'body', what: 'integrations (those being withdrawn after a delete included)', max: limits.integrations, count: () => integrations.count(workspace) },
        () => integrations.create(workspace, input),
        // A reader may have seen it meanwhile: a new version, so no snapshot keeps it (store/workspaces.ts).
        (created) => integrations.remove(workspace, created.id).then(() => workspaces.bumpConfigVersion(workspace)),
      );
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
      if (patch.scope !== undefined) await checkScope(workspace, actor, patch.scope, id);
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
      await deps.manualHolds?.forget(workspace, id);
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

    listEvents: (workspace: string, options: { limit: number; before?: string } & AuditFilters) => audit.list(workspace, options),
    listIncidents: (workspace: string, options: HistoryOptions) => incidents.history(workspace, options),

    // A channel's arrival or departure changes the configuration (whether the workflow notifies).
    async createChannel(workspace: string, input: ChannelInput, actor: string) {
      checkDestination(input.type, input);
      const channel = await withinCap(
        { workspace, actor, field: 'body', what: 'notification channels', max: limits.channels, count: () => channels.count(workspace) },
        () => channels.create(workspace, input),
        (created) => channels.remove(workspace, created.id).then(() => workspaces.bumpConfigVersion(workspace)),
      );
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
      const existing = await channels.get(workspace, id);
      if (!existing) throw new HttpError(404, 'not_found', 'notification channel not found');
      checkDestination(existing.type, patch);
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

    /** A detector that posts its own webhooks; the secret (and a URL holding it) is shown once. */
    async createDetectorSource(workspace: string, input: DetectorSourceInput, actor: string) {
      const created = await withinCap(
        { workspace, actor, field: 'body', what: 'detector sources', max: limits.detectorSources, count: () => detectorSources.count(workspace) },
        () => detectorSources.create(workspace, input),
        (made) => detectorSources.remove(workspace, made.source.id).then(() => undefined),
      );
      await audit.record({ workspace, actor, action: 'detector.create', outcome: 'ok', detail: `${created.source.id} ${input.type} ${input.name}` });
      return created;
    },

    listDetectorSources: (workspace: string) => detectorSources.list(workspace),

    async getDetectorSource(workspace: string, id: string) {
      const source = await detectorSources.get(workspace, id);
      if (!source) throw new HttpError(404, 'not_found', 'detector source not found');
      return source;
    },

    async deleteDetectorSource(workspace: string, id: string, actor: string) {
      if (!(await detectorSources.remove(workspace, id))) throw new HttpError(404, 'not_found', 'detector source not found');
      await audit.record({ workspace, actor, action: 'detector.delete', outcome: 'ok', detail: id });
    },
  };
}

export type Services = ReturnType<typeof createServices>;
