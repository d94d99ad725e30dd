/**
 * Detector sources: a detector that posts its own webhooks to a workspace. The secret that
 * proves a delivery (URL token, HMAC key or shared header) is encrypted at rest, bound to the
 * record, never returned after creation; only `loadForIngest` decrypts it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DetectorType } from '../catalog/detectors';
import { CredentialCipher, detectorSourceContext, type EncryptedBlob } from './crypto';
import type { Models } from './models';

export interface DetectorSourceInput {
  type: DetectorType;
  name: string;
  options?: Record<string, unknown>;
  /** Absent: a random one (32 bytes, base64url) is made. */
  secret?: string;
}

/** What deliveries did (`event`, `ignored`, and refusals by reason). */
export type DeliveryOutcome = 'event' | 'ignored' | 'bad_proof' | 'replayed' | 'address_refused' | 'invalid';

export interface DetectorSource {
  id: string;
  workspace: string;
  type: DetectorType;
  name: string;
  options: Record<string, unknown>;
  counts: Partial<Record<DeliveryOutcome, number>>;
  lastEventAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Raw = Omit<DetectorSource, 'id'> & { _id: string; secret?: EncryptedBlob };
const toSource = ({ _id, secret: _secret, ...rest }: Raw): DetectorSource => ({ id: _id, ...rest, counts: rest.counts ?? {}, lastEventAt: rest.lastEventAt ?? null });

export const newDetectorSecret = (): string => randomBytes(32).toString('base64url');

export function detectorSourceRepository({ DetectorSource: Model }: Models, cipher: CredentialCipher) {
  return {
    /** The record and its secret, which the caller shows once. */
    async create(workspace: string, input: DetectorSourceInput): Promise<{ source: DetectorSource; secret: string }> {
      const id = `det_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const secret = input.secret ?? newDetectorSecret();
      const created = await Model.create({
        _id: id,
        workspace,
        type: input.type,
        name: input.name,
        options: input.options ?? {},
        secret: cipher.encrypt({ secret }, detectorSourceContext(workspace, id)),
      });
      return { source: toSource(created.toObject() as Raw), secret };
    },

    async list(workspace: string): Promise<DetectorSource[]> {
      return (await Model.find({ workspace }).sort({ createdAt: 1 }).lean<Raw[]>()).map(toSource);
    },

    async count(workspace: string): Promise<number> {
      return Model.countDocuments({ workspace });
    },

    async get(workspace: string, id: string): Promise<DetectorSource | null> {
      const found = await Model.findOne({ _id: id, workspace }).lean<Raw>();
      return found ? toSource(found) : null;
    },

    async remove(workspace: string, id: string): Promise<boolean> {
      return (await Model.deleteOne({ _id: id, workspace })).deletedCount === 1;
    },

    /** For the ingest route only: the source by its ID (the URL names no workspace) with its secret decrypted. */
    async loadForIngest(id: string): Promise<(DetectorSource & { secret: string }) | null> {
      const found = await Model.findById(id).select('+secret').lean<Raw>();
      if (!found?.secret) return null;
      const { secret } = cipher.decrypt(found.secret, detectorSourceContext(found.workspace, found._id)) as { secret: string };
      return { ...toSource(found), secret };
    },

    /** Counts a delivery's outcome on the source (and when it last brought an event). */
    async countDelivery(id: string, outcome: DeliveryOutcome): Promise<void> {
      await Model.updateOne({ _id: id }, { $inc: { [`counts.${outcome}`]: 1 }, ...(outcome === 'event' ? { $set: { lastEventAt: new Date() } } : {}) });
    },
  };
}

export type DetectorSourceRepository = ReturnType<typeof detectorSourceRepository>;
