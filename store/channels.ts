/**
 * Notification channels: where a workspace's events go (a signed webhook, Slack, PagerDuty).
 * Settings in the clear; secrets (signing secret, Slack webhook URL, PagerDuty routing key)
 * encrypted like integration credentials and only decrypted by `loadForDelivery`, which the
 * notification activity calls.
 */
import { randomUUID } from 'node:crypto';
import { CredentialCipher, channelContext, type EncryptedBlob } from './crypto';
import type { Models } from './models';
import type { ChannelType, DeliverableChannel, NotificationEventName } from '../catalog/notifications';

export interface ChannelInput {
  type: ChannelType;
  name: string;
  events?: NotificationEventName[];
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

export interface Channel {
  id: string;
  workspace: string;
  type: ChannelType;
  name: string;
  events: NotificationEventName[];
  settings: Record<string, unknown>;
  secretFields: string[];
  createdAt: Date;
  updatedAt: Date;
}

type Raw = Omit<Channel, 'id'> & { _id: string; secrets?: EncryptedBlob };
const toChannel = ({ _id, secrets: _secrets, ...rest }: Raw): Channel => ({ id: _id, ...rest });

export function channelRepository({ Channel: Model }: Models, cipher: CredentialCipher) {
  return {
    async create(workspace: string, input: ChannelInput): Promise<Channel> {
      const id = `ch_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const created = await Model.create({
        _id: id,
        workspace,
        type: input.type,
        name: input.name,
        events: input.events ?? [],
        settings: input.settings,
        secrets: cipher.encrypt(input.secrets, channelContext(workspace, id)),
        secretFields: Object.keys(input.secrets).sort(),
      });
      return toChannel(created.toObject() as Raw);
    },

    async list(workspace: string): Promise<Channel[]> {
      return (await Model.find({ workspace }).sort({ createdAt: 1 }).lean<Raw[]>()).map(toChannel);
    },

    async count(workspace: string): Promise<number> {
      return Model.countDocuments({ workspace });
    },

    async get(workspace: string, id: string): Promise<Channel | null> {
      const found = await Model.findOne({ _id: id, workspace }).lean<Raw>();
      return found ? toChannel(found) : null;
    },

    /** Replaces the given fields; `secrets`, when given, replaces all secret fields. */
    async update(workspace: string, id: string, patch: Partial<Omit<ChannelInput, 'type'>>): Promise<Channel | null> {
      const { secrets, ...rest } = patch;
      const set: Record<string, unknown> = { ...rest };
      if (secrets) {
        set.secrets = cipher.encrypt(secrets, channelContext(workspace, id));
        set.secretFields = Object.keys(secrets).sort();
      }
      const result = await Model.updateOne({ _id: id, workspace }, { $set: set });
      if (result.matchedCount === 0) return null;
      return this.get(workspace, id);
    },

    async remove(workspace: string, id: string): Promise<boolean> {
      return (await Model.deleteOne({ _id: id, workspace })).deletedCount === 1;
    },

    /** For the notification activity only: every channel of the workspace with its secrets decrypted. */
    async loadForDelivery(workspace: string): Promise<DeliverableChannel[]> {
      const found = await Model.find({ workspace }).select('+secrets').sort({ createdAt: 1 }).lean<Raw[]>();
      return found.map((raw) => ({
        id: raw._id,
        type: raw.type,
        name: raw.name,
        events: raw.events,
        settings: raw.settings,
        secrets: raw.secrets ? cipher.decrypt(raw.secrets, channelContext(workspace, raw._id)) : {},
      }));
    },
  };
}

export type ChannelRepository = ReturnType<typeof channelRepository>;
