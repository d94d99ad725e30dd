/** Zod schemas for every API input: the single source of truth for their types. */
import { z } from 'zod';
import { isValidAddress } from '../workflows/cidr';

export const workspaceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, up to 63');
const idSchema = z.string().min(1).max(200).regex(/^[\w.:@-]+$/, 'letters, digits and . _ : @ -');

export const workspaceParams = z.object({ ws: workspaceIdSchema }).strict();
export const incidentParams = z.object({ ws: workspaceIdSchema, id: idSchema }).strict();
export const integrationParams = z.object({ ws: workspaceIdSchema, id: idSchema }).strict();

export const incidentStartedBody = z
  .object({
    id: idSchema,
    target: z.string().max(45).refine(isValidAddress, 'an IPv4 or IPv6 address').optional(),
    severity: z.string().max(50).optional(),
    startedAt: z.iso.datetime({ offset: true }).optional(),
    source: z.string().max(200).optional(),
  })
  .strict();

export const incidentResolvedBody = z
  .object({ resolvedAt: z.iso.datetime({ offset: true }).optional() })
  .strict();

export const manualActionBody = z.object({ reason: z.string().max(500).optional() }).strict();

export type IncidentStartedBody = z.infer<typeof incidentStartedBody>;
