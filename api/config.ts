/**
 * The API's configuration, read once from the environment and validated at
 * start-up; a bad value stops the process with a message naming the variable.
 */
import { z } from 'zod';
import { TASK_QUEUE } from '../workflows/messages';

const apiEnvSchema = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Bearer token for every /v1 route until per-workspace API keys land (issue C). */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  WORKSPACES_FILE: z.string().min(1),
  /** How long a manual Activate/Withdraw may wait for the provider before answering 504. */
  MANUAL_ACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
});

export type ApiConfig = z.infer<typeof apiEnvSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
