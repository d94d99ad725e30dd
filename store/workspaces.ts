/** Workspaces and the versioned configuration snapshot the workflow receives. */
import type { WorkspaceConfig } from '../workflows/messages';
import { providerFacts } from '../catalog';
import { INTEGRATION_CONFIG_FIELDS, integrationSnapshot, withIntegrationDefaults, type IntegrationConfigInput } from '../catalog/integration';
import { workspacePolicy, type WorkspacePolicy } from '../workflows/policy';
import { ConflictError, isDuplicateKey } from './errors';
import { changeLog, type ChangeEntry } from './changes';
import type { BulkReads } from './record-cache';
import type { Models } from './models';

export interface Workspace {
  id: string;
  name: string;
  holdDownSeconds: number;
  /** Effective: the values set here over the defaults. */
  policy: WorkspacePolicy;
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A PATCH sets the given knobs; null returns one to its default. */
export type PolicyPatch = { [K in keyof WorkspacePolicy]?: number | null };

type Raw = { _id: string; name: string; holdDownSeconds: number; policy?: Partial<WorkspacePolicy> | null; configVersion: number; createdAt: Date; updatedAt: Date };
const toWorkspace = ({ _id, policy, ...rest }: Raw): Workspace => ({ id: _id, ...rest, policy: workspacePolicy(policy ?? {}) });

export function workspaceRepository(models: Models) {
  const { Workspace, Integration, Channel } = models;
  const changes = changeLog(models);
  /** Per workspace: the integrations and channel flag read for a configuration version. */
  const snapshots = new Map<string, { version: number; integrations: WorkspaceConfig['integrations']; notifications: boolean }>();
  const versionsWhere = async (filter: Record<string, unknown>, limit: number): Promise<Map<string, number>> => {
    const rows = await Workspace.find(filter).select({ configVersion: 1 }).limit(limit).lean<{ _id: string; configVersion: number }[]>();
    return new Map(rows.map((row) => [row._id, row.configVersion]));
  };
  return {
    async create(input: { id: string; name: string; holdDownSeconds?: number; policy?: PolicyPatch }): Promise<Workspace> {
      try {
        const policy = Object.fromEntries(Object.entries(input.policy ?? {}).filter(([, v]) => v !== null && v !== undefined));
        const created = await Workspace.create({ _id: input.id, name: input.name, holdDownSeconds: input.holdDownSeconds ?? 300, policy });
        return toWorkspace(created.toObject());
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConflictError(`workspace ${input.id} already exists`);
        throw err;
      }
    },

    async get(id: string): Promise<Workspace | null> {
      const found = await Workspace.findById(id).lean<Raw>();
      return found ? toWorkspace(found) : null;
    },

    async update(id: string, patch: { name?: string; holdDownSeconds?: number; policy?: PolicyPatch }): Promise<Workspace | null> {
      const { policy, ...fields } = patch;
      const set: Record<string, unknown> = { ...fields };
      const unset: Record<string, ''> = {};
      for (const [key, value] of Object.entries(policy ?? {})) {
        if (value === null) unset[`policy.${key}`] = '';
        else if (value !== undefined) set[`policy.${key}`] = value;
      }
      const update = { $set: set, $inc: { configVersion: 1 }, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) };
      const updated = await changes.around('workspace', id, () => Workspace.findByIdAndUpdate(id, update, { new: true }).lean<Raw>()); // store/changes.ts
      return updated ? toWorkspace(updated) : null;
    },

    /** Call after any integration change, before reading the snapshot to send. */
    async bumpConfigVersion(id: string): Promise<void> {
      await changes.around('workspace', id, () => Workspace.updateOne({ _id: id }, { $inc: { configVersion: 1 } }));
    },

    /** Workspaces whose configuration changed at or after `since`, from the change log (the API's change feed, api/version-cache.ts). */
    changedSince: (since: Date): Promise<ChangeEntry[]> => changes.since('workspace', since),

    /** Configuration versions in bulk, for the API's version cache to start and stay warm (api/version-cache.ts). */
    versions: {
      all: (limit: number) => versionsWhere({}, limit),
      some: (ids: string[]) => versionsWhere({ _id: { $in: ids } }, ids.length),
    } satisfies BulkReads<number>,

    /** The configuration version alone (one read by id): all an incident report needs of the configuration. */
    async configVersion(id: string): Promise<number | undefined> {
      const workspace = await Workspace.findById(id).select({ configVersion: 1 }).lean<Pick<Raw, 'configVersion'>>();
      return workspace?.configVersion;
    },

    /**
     * The non-secret configuration of a workspace, read after its version (so the highest
     * version sees every change). Every change to integrations or channels bumps the version, so
     * what was read for a version is reused while the workspace still has it: one read, not three,
     * for each incident report (the workspace document itself is always read fresh).
     */
    async configSnapshot(id: string): Promise<WorkspaceConfig | undefined> {
      const workspace = await Workspace.findById(id).lean<Raw>();
      if (!workspace) {
        snapshots.delete(id);
        return undefined;
      }
      let parts = snapshots.get(id);
      if (parts?.version !== workspace.configVersion) {
        const [integrations, channels] = await Promise.all([
          Integration.find({ workspace: id, deletedAt: null }).sort({ createdAt: 1 }).select(SNAPSHOT_FIELDS).lean<SnapshotRow[]>(),
          Channel.countDocuments({ workspace: id }),
        ]);
        parts = { version: workspace.configVersion, integrations: integrations.map(snapshotOf), notifications: channels > 0 };
        snapshots.delete(id);
        if (snapshots.size >= MAX_CACHED_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value as string);
        snapshots.set(id, parts);
      }
      const policy = workspace.policy ?? {};
      const providers = Object.fromEntries(
        [...new Set(parts.integrations.map((i) => i.type))].flatMap((type) => {
          const facts = providerFacts(type);
          return facts ? [[type, facts]] : [];
        }),
      );
      return {
        version: workspace.configVersion,
        holdDownSeconds: workspace.holdDownSeconds,
        integrations: parts.integrations.map((i) => ({ ...i })),
        ...(Object.keys(providers).length > 0 ? { providers } : {}),
        ...(parts.notifications ? { notifications: true } : {}),
        ...(Object.keys(policy).length > 0 ? { policy } : {}),
      };
    },
  };
}

/** What a snapshot reads of an integration record. */
const SNAPSHOT_FIELDS = Object.fromEntries(['type', ...INTEGRATION_CONFIG_FIELDS].map((field) => [field, 1]));

/** Configuration snapshots a repository remembers (oldest out first). */
const MAX_CACHED_SNAPSHOTS = 10_000;

type SnapshotRow = { _id: string; type: string } & IntegrationConfigInput;

/** Only what differs from the defaults, so older snapshots and workers see what they always saw. */
const snapshotOf = (i: SnapshotRow): WorkspaceConfig['integrations'][number] => integrationSnapshot(i._id, i.type, withIntegrationDefaults(i));

export type WorkspaceRepository = ReturnType<typeof workspaceRepository>;
