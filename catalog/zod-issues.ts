/**
 * A zod refusal as one line for an error message: each issue's path and message, e.g.
 * `MONGO_URL Required; ENCRYPTION_KEYS Invalid`. Used where a refusal ends in a thrown Error
 * (configuration, stored records); the API's answers name their fields through api/validate.ts.
 */
import type { z } from 'zod';

export function issuesText(issues: readonly z.ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
}
