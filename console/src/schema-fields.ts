/**
 * Form fields from the API's own JSON Schemas (/openapi.json, generated from the zod schemas the
 * API validates with): one field per property, with its type, required flag, enum, pattern,
 * bounds and description (values and bodies: form-body.ts). Pure: no DOM.
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

interface Common {
  path: string;
  label: string;
  description?: string;
  required: boolean;
}
export type Field =
  | (Common & { kind: 'text'; secret: boolean; pattern?: string; minLength?: number; maxLength?: number })
  | (Common & { kind: 'number'; integer: boolean; nullable: boolean; min?: number; max?: number })
  | (Common & { kind: 'boolean'; byDefault: boolean })
  | (Common & { kind: 'choice'; options: string[]; nullable: boolean })
  | (Common & { kind: 'multi'; options: string[] })
  | (Common & { kind: 'list'; item: JsonSchema })
  | (Common & { kind: 'literal-or-list'; literal: string; item: JsonSchema })
  | (Common & { kind: 'group'; secret: boolean; fields: Field[] });

export type Value = string | boolean | string[];
export type Values = Record<string, Value>;
/** Problems by field path, as shown under each field. */
export type Problems = Record<string, string>;

/** Parts of a body whose values are secrets: entered, sent, never shown back. */
const SECRET_GROUPS = new Set(['credentials', 'secrets']);

const LABELS: Record<string, string> = {
  autoDivert: 'Auto-divert',
  dryRun: 'Dry run',
  onDrift: 'On drift',
  minActiveSeconds: 'Minimum active (seconds)',
  reactivateAfterSeconds: 'Re-activate after (seconds)',
  calmGate: 'Calm gate',
  calmDroppedBps: 'Calm at dropped bit/s',
  calmDroppedPps: 'Calm at dropped packets/s',
  calmSeconds: 'Calm for (seconds)',
  calmMaxWaitSeconds: 'Longest calm wait (seconds)',
  calmOnMaxWait: 'After the longest calm wait',
};
const ACRONYMS: Record<string, string> = { id: 'ID', ip: 'IP', bgp: 'BGP', api: 'API', url: 'URL', ovh: 'OVH' };

/** "bgpPrefixId" → "BGP prefix ID". */
export function labelOf(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_]+/)
    .map((word) => ACRONYMS[word] ?? word);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const types = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);

function fieldOf(name: string, schema: JsonSchema, path: string, required: boolean, secret: boolean): Field {
  const label = labelOf(name);
  const common = { path, label, required, ...(schema.description ? { description: schema.description } : {}) };
  const kinds = types(schema);
  const literalOrList = schema.anyOf?.length === 2 ? schema.anyOf : undefined;
  if (literalOrList) {
    const literal = literalOrList.find((s) => s.enum?.length === 1)?.enum?.[0];
    const list = literalOrList.find((s) => types(s).includes('array'));
    if (typeof literal === 'string' && list?.items) return { ...common, kind: 'literal-or-list', literal, item: list.items };
  }
  if (kinds.includes('object') && schema.properties) {
    const isSecret = secret || SECRET_GROUPS.has(name);
    return { ...common, kind: 'group', secret: isSecret, fields: fieldsOf(schema, { prefix: `${path}.`, secret: isSecret }) };
  }
  if (kinds.includes('boolean')) return { ...common, kind: 'boolean', byDefault: /default true/i.test(schema.description ?? '') };
  if (schema.enum) {
    const options = schema.enum.filter((v): v is string => typeof v === 'string');
    return { ...common, kind: 'choice', options, nullable: schema.enum.includes(null) };
  }
  if (kinds.includes('integer') || kinds.includes('number')) {
    const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (kinds.includes('integer') ? 1 : 0) : schema.minimum;
    return {
      ...common,
      kind: 'number',
      integer: kinds.includes('integer'),
      nullable: kinds.includes('null'),
      ...(min === undefined ? {} : { min }),
      ...(schema.maximum === undefined ? {} : { max: schema.maximum }),
    };
  }
  if (kinds.includes('array') && schema.items) {
    const options = schema.items.enum?.filter((v): v is string => typeof v === 'string');
    return options ? { ...common, kind: 'multi', options } : { ...common, kind: 'list', item: schema.items };
  }
  return {
    ...common,
    kind: 'text',
    secret,
    ...(schema.pattern ? { pattern: schema.pattern } : {}),
    ...(schema.minLength === undefined ? {} : { minLength: schema.minLength }),
    ...(schema.maxLength === undefined ? {} : { maxLength: schema.maxLength }),
  };
}

/** The fields of an object schema, in its order; `skip` leaves out properties the form sets itself (the type). */
export function fieldsOf(schema: JsonSchema, options: { prefix?: string; secret?: boolean; skip?: string[] } = {}): Field[] {
  const { prefix = '', secret = false, skip = [] } = options;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(([name, property]) => fieldOf(name, property, `${prefix}${name}`, required.has(name), secret));
}

export interface Variant {
  type: string;
  label: string;
  schema: JsonSchema;
}

/** The variants of a `oneOf` body schema keyed by its `type` (CreateIntegration, CreateNotificationChannel). */
export function variantsOf(document: unknown, schemaName: string): Variant[] {
  const schema = (document as { components?: { schemas?: Record<string, JsonSchema> } })?.components?.schemas?.[schemaName];
  return (schema?.oneOf ?? []).flatMap((variant) => {
    const type = variant.properties?.type?.enum?.[0];
    return typeof type === 'string' ? [{ type, label: variant.description ?? type, schema: variant }] : [];
  });
}

/** Every leaf field, groups flattened. */
export function leaves(fields: Field[]): Field[] {
  return fields.flatMap((field) => (field.kind === 'group' ? leaves(field.fields) : [field]));
}
