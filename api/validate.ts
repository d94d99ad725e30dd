/** Parses request parts with zod; failures become 400s whose details name the fields. */
import { z } from 'zod';
import { validationError } from './http-errors';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * For PATCH of a typed record (integration, channel): checks the body parts that depend on the
 * stored type against that type's schemas; failures name the field as `body.<part>.<field>`.
 */
export function parseTypedParts<P extends Partial<Record<K, unknown>>, K extends string>(schemas: Record<K, z.ZodType>, patch: P, parts: readonly K[]): P {
  const checked = { ...patch };
  for (const part of parts) {
    if (patch[part] === undefined) continue;
    const result = schemas[part].safeParse(patch[part]);
    if (!result.success) throw validationError(new z.ZodError(result.error.issues.map((i) => ({ ...i, path: [part, ...i.path] }))), 'body');
    checked[part] = result.data as P[K];
  }
  return checked;
}

/** Which secret fields are set, never their values: `{ apiToken: '********' }`. */
export function masked(fields: readonly string[]): Record<string, '********'> {
  return Object.fromEntries(fields.map((field) => [field, '********' as const]));
}

/** Dates as ISO strings, for JSON answers. */
export function iso(date: Date | null | undefined): string | null {
  return date ? new Date(date).toISOString() : null;
}
