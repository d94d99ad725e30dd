/** Parses request parts with zod; failures become 400s whose details name the fields. */
import type { z } from 'zod';
import { validationError } from './http-errors';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** Dates as ISO strings, for JSON answers. */
export function iso(date: Date | null | undefined): string | null {
  return date ? new Date(date).toISOString() : null;
}
