/**
 * Integrations: non-secret configuration in the clear, credentials encrypted (AES-256-GCM,
 * bound to the record) and never returned except by `loadForOperation`, which only
 * activities call. DELETE is two-step: marked deleted, removed once the workflow
 * has withdrawn it (`purge`).
 */
import { randomUUID } from 'node:crypto';
import type { ProviderType } from '../catalog';
import type { LoadedIntegration } from '../catalog/contract';
import { IntegrationNotFoundError } from '../catalog/errors';
import { withIntegrationDefaults, type IntegrationConfigField, type IntegrationConfigInput, type IntegrationConfigRecord } from '../catalog/integration';
import { CredentialCipher, credentialContext, type EncryptedBlob } from './crypto';
import { changeLog } from './changes';
import type { Models } from './models';
import { DEFAULT_RECORD_CACHE, cachedById } from './record-cache';

export type IntegrationType = ProviderType;

/** A new integration: its configuration (catalog/integration.ts), type, settings and credentials. */
export interface IntegrationInput extends IntegrationConfigInput {
  type: IntegrationType;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export interface Integration extends IntegrationConfigRecord {
  id: string;
  workspace: string;
  type: IntegrationType;
  settings: Record<string, unknown>;
  credentialFields: string[];
  createdAt: Date;
  updatedAt: Date;
}

type Raw = Omit<Integration, 'id' | IntegrationConfigField> & IntegrationConfigInput & { _id: string; deletedAt?: Date | null; credentials?: EncryptedBlob };
// Records written before a field existed read with its default.
const toIntegration = ({ _id, deletedAt: _deleted, credentials: _credentials, ...rest }: Raw): Integration => ({
  id: _id,
  ...rest,
  ...withIntegrationDefaults(rest),
});

/**
 * `operationCache`: the worker's activities read an integration on every provider operation; with
 * it, each is read once and remembered (credentials still encrypted: they are decrypted for each
 * operation, and never kept in clear) until a change through any process reaches the change feed
 * (store/record-cache.ts). The API's repository has none.
 */
export function integrationRepository(models: Models, cipher: CredentialCipher, options: { operationCache?: Partial<typeof DEFAULT_RECORD_CACHE> } = {}) {
  const { Integration } = models;
  const changes = changeLog(models);
  const live = (workspace: string, id: string) => ({ _id: id, workspace, deletedAt: null });
  // By _id alone, the workspace checked by the caller: FerretDB serves an _id lookup from its index
  // but scans the collection for {_id, workspace} (2.8 ms against 18 ms with 1,000 integrations).
  const readForOperation = (id: string) => Integration.findById(id).select('+credentials').lean<Raw>().exec();
  const readManyForOperation = async (filter: Record<string, unknown>, limit: number) =>
    new Map((await Integration.find(filter).select('+credentials').limit(limit).lean<Raw[]>().exec()).map((raw) => [raw._id, raw]));
  const records = options.operationCache
    ? cachedById(readForOperation, (since) => changes.since('integration', since), options.operationCache, {
        all: (limit) => readManyForOperation({}, limit),
        some: (ids) => readManyForOperation({ _id: { $in: ids } }, ids.length),
      })
    : undefined;

  return {
    async create(workspace: string, input: IntegrationInput): Promise<Integration> {
      const id = `int_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const created = await Integration.create({
        _id: id,
        workspace,
        type: input.type,
        ...withIntegrationDefaults(input),
        settings: input.settings,
        credentials: cipher.encrypt(input.credentials, credentialContext(workspace, id)),
        credentialFields: Object.keys(input.credentials).sort(),
      });
      // Noted, so the workers' caches read it before its first operation (store/record-cache.ts); best effort.
      await changes.note('integration', id).catch(() => undefined);
      return toIntegration(created.toObject());
    },

    async list(workspace: string): Promise<Integration[]> {
      return (await Integration.find({ workspace, deletedAt: null }).sort({ createdAt: 1 }).lean<Raw[]>()).map(toIntegration);
    },

    /** Every record of the workspace, those being withdrawn after a DELETE included (they are still in its workflow). */
    async count(workspace: string): Promise<number> {
      return Integration.countDocuments({ workspace });
    },

    /** CIDR entries in the scopes of the workspace's live integrations, `except` one of them. */
    async scopeEntries(workspace: string, except?: string): Promise<number> {
      const rows = await Integration.find({ workspace, deletedAt: null, ...(except ? { _id: { $ne: except } } : {}) })
        .select('scope')
        .lean<{ scope: unknown }[]>();
      return rows.reduce((sum, row) => sum + (Array.isArray(row.scope) ? row.scope.length : 0), 0);
    },

    /** Removes a record outright (a create refused by a cap after the write). */
    async remove(workspace: string, id: string): Promise<void> {
      await Integration.deleteOne({ _id: id, workspace });
    },

    async get(workspace: string, id: string): Promise<Integration | null> {
      const found = await Integration.findOne(live(workspace, id)).lean<Raw>();
      return found ? toIntegration(found) : null;
    },

    /** Replaces the given fields; `credentials`, when given, replaces all credential fields. */
    async update(workspace: string, id: string, patch: Partial<Omit<IntegrationInput, 'type'>>): Promise<Integration | null> {
      const { credentials, ...rest } = patch;
      const set: Record<string, unknown> = { ...rest };
      if (credentials) {
        set.credentials = cipher.encrypt(credentials, credentialContext(workspace, id));
        set.credentialFields = Object.keys(credentials).sort();
      }
      // updateOne + findOne rather than findOneAndUpdate: the latter with a projection is not portable (FerretDB).
      const result = await changes.around('integration', id, () => Integration.updateOne(live(workspace, id), { $set: set })); // store/changes.ts
      if (result.matchedCount === 0) return null;
      const updated = await Integration.findOne(live(workspace, id)).lean<Raw>();
      return updated ? toIntegration(updated) : null;
    },

    /** Marks it deleted; it leaves the configuration at once but stays loadable until purged. */
    async markDeleted(workspace: string, id: string): Promise<boolean> {
      const result = await changes.around('integration', id, () => Integration.updateOne(live(workspace, id), { $set: { deletedAt: new Date() } }));
      return result.modifiedCount === 1;
    },

    /** Removes a record marked deleted (the workflow has forgotten it). */
    async purge(workspace: string, id: string): Promise<void> {
      await changes.around('integration', id, () => Integration.deleteOne({ _id: id, workspace, deletedAt: { $ne: null } }));
      records?.forget(id);
    },

    /** Stops the change feed of the operation cache, if there is one. */
    stop(): void {
      records?.stop();
    },

    /** For activities only: the integration with decrypted credentials, deleted-but-not-purged included. */
    async loadForOperation(workspaceId: string, integrationId: string, options: { fresh?: boolean } = {}): Promise<LoadedIntegration> {
      const found = records ? await records.get(integrationId, options) : await readForOperation(integrationId);
      if (!found?.credentials || found.workspace !== workspaceId) throw new IntegrationNotFoundError(`integration ${integrationId} not found in workspace ${workspaceId}`);
      return {
        id: found._id,
        workspaceId,
        type: found.type,
        settings: found.settings,
        credentials: cipher.decrypt(found.credentials, credentialContext(workspaceId, integrationId)),
      };
    },
  };
}

export type IntegrationRepository = ReturnType<typeof integrationRepository>;
