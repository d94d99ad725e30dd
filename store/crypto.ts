/**
 * Credential encryption at rest: AES-256-GCM with a key ring from the environment
 * (`ENCRYPTION_KEYS=id1:base64key,id2:base64key`, the first encrypts, all decrypt),
 * so keys can be rotated. Each blob is bound to its workspace and integration
 * (additional authenticated data), so a blob copied to another record does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptedBlob {
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

export class CredentialCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(private readonly ring: { id: string; key: Buffer }[]) {
    if (ring.length === 0) throw new Error('at least one encryption key is required');
    for (const { id, key } of ring) {
      if (key.length !== 32) throw new Error(`encryption key ${id} must be 32 bytes (base64 of 32 random bytes)`);
    }
    this.keys = new Map(ring.map(({ id, key }) => [id, key]));
  }

  /** Parses `id:base64,id:base64`; throws a message that never contains key material. */
  static fromSpec(spec: string): CredentialCipher {
    const ring = spec
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const colon = part.indexOf(':');
        if (colon <= 0) throw new Error('ENCRYPTION_KEYS entries must look like <id>:<base64 of 32 bytes>');
        return { id: part.slice(0, colon), key: Buffer.from(part.slice(colon + 1), 'base64') };
      });
    return new CredentialCipher(ring);
  }

  static generateSpec(id = 'k1'): string {
    return `${id}:${randomBytes(32).toString('base64')}`;
  }

  get activeKeyId(): string {
    return (this.ring[0] as { id: string }).id;
  }

  encrypt(plain: Record<string, unknown>, context: string): EncryptedBlob {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return { kid: this.activeKeyId, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  decrypt(blob: EncryptedBlob, context: string): Record<string, unknown> {
    const key = this.keys.get(blob.kid);
    if (!key) throw new Error(`credentials were encrypted with key ${blob.kid}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(blob.iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(blob.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(blob.data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  }
}

/** The additional authenticated data of an integration's credentials. */
export function credentialContext(workspaceId: string, integrationId: string): string {
  return `integration:${workspaceId}:${integrationId}`;
}

/** The same binding for a notification channel's secrets. */
export function channelContext(workspaceId: string, channelId: string): string {
  return `channel:${workspaceId}:${channelId}`;
}

export function detectorSourceContext(workspaceId: string, sourceId: string): string {
  return `detector-source:${workspaceId}:${sourceId}`;
}
