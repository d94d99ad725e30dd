/**
 * Storage settings shared by the API and the worker, validated at start-up:
 * MONGO_URL and the credential key ring. Without ENCRYPTION_KEYS neither process
 * starts (stored credentials could not be read); the message says how to make one.
 */
import { z } from 'zod';
import { CredentialCipher } from './crypto';
import { issuesText } from '../catalog/zod-issues';

const storeEnvSchema = z.object({
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL'),
  ENCRYPTION_KEYS: z.string({ error: "is required: generate one with `node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\"`" }).min(1),
});

export interface StoreConfig {
  mongoUrl: string;
  cipher: CredentialCipher;
}

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const parsed = storeEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration: ${issuesText(parsed.error.issues)}`);
  return { mongoUrl: parsed.data.MONGO_URL, cipher: CredentialCipher.fromSpec(parsed.data.ENCRYPTION_KEYS) };
}
