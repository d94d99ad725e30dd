/**
 * Form values for the fields of schema-fields.ts: the starting values (from a stored record,
 * secrets always empty, or the defaults), and the request body back from what was entered,
 * with the problems the browser can see before the API does. Pure: no DOM.
 */
import { leaves, type Field, type Problems, type Values } from './schema-fields';

const scalarText = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
const readPath = (source: unknown, path: string): unknown => path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), source);

/** The form's starting values: from an existing record (secrets always empty), else the defaults. */
export function initialValues(fields: Field[], source?: unknown): Values {
  const values: Values = {};
  for (const field of leaves(fields)) {
    const current = source === undefined ? undefined : readPath(source, field.path);
    switch (field.kind) {
      case 'boolean':
        values[field.path] = typeof current === 'boolean' ? current : field.byDefault;
        break;
      case 'multi':
        values[field.path] = Array.isArray(current) ? current.map(String) : [];
        break;
      case 'list':
        values[field.path] = Array.isArray(current) ? current.map(String).join('\n') : '';
        break;
      case 'literal-or-list':
        values[field.path] = Array.isArray(current) ? current.map(String).join('\n') : '';
        values[`${field.path}#mode`] = Array.isArray(current) ? 'list' : 'literal';
        break;
      case 'text':
        values[field.path] = field.secret ? '' : scalarText(current);
        break;
      default:
        values[field.path] = scalarText(current);
    }
  }
  return values;
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true; // a pattern this browser cannot compile: the API judges
  }
}

/** A leaf's value as JSON, or a problem; `undefined` = leave it out. */
function convert(field: Field, values: Values): { value?: unknown; problem?: string } {
  const raw = values[field.path];
  switch (field.kind) {
    case 'boolean':
      return { value: raw === true };
    case 'multi':
      return { value: Array.isArray(raw) ? raw : [] };
    case 'list': {
      const items = lines(String(raw ?? ''));
      const bad = items.find((item) => !matches(field.item.pattern, item));
      return bad !== undefined ? { problem: `not valid: ${bad}` } : { value: items };
    }
    case 'literal-or-list': {
      if (values[`${field.path}#mode`] !== 'list') return { value: field.literal };
      const items = lines(String(raw ?? ''));
      if (items.length === 0) return { problem: 'enter at least one entry, or choose the whole workspace' };
      const bad = items.find((item) => !matches(field.item.pattern, item));
      return bad !== undefined ? { problem: `not valid: ${bad}` } : { value: items };
    }
    case 'number': {
      const text = String(raw ?? '').trim();
      if (text === '') return field.nullable ? { value: null } : {};
      const number = Number(text);
      if (!Number.isFinite(number) || (field.integer && !Number.isInteger(number))) return { problem: field.integer ? 'a whole number' : 'a number' };
      if (field.min !== undefined && number < field.min) return { problem: `at least ${field.min}` };
      if (field.max !== undefined && number > field.max) return { problem: `at most ${field.max}` };
      return { value: number };
    }
    case 'choice': {
      const text = String(raw ?? '');
      if (text === '') return field.nullable ? { value: null } : {};
      return { value: text };
    }
    case 'text': {
      const text = field.secret ? String(raw ?? '') : String(raw ?? '').trim();
      if (text === '') return {};
      if (field.minLength !== undefined && text.length < field.minLength) return { problem: `at least ${field.minLength} characters` };
      if (field.maxLength !== undefined && text.length > field.maxLength) return { problem: `at most ${field.maxLength} characters` };
      if (!matches(field.pattern, text)) return { problem: 'not in the expected format' };
      return { value: text };
    }
    case 'group':
      return {};
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The request body from the form. Create: every value entered (and required ones checked).
 * Edit: only what changed from `initial`; a changed object part (settings) is sent whole, since
 * the API replaces it; secrets only when entered, and then all of them (they replace all).
 */
export function bodyFrom(fields: Field[], values: Values, mode: 'create' | 'edit', initial: Values = {}): { body: Record<string, unknown>; problems: Problems } {
  const body: Record<string, unknown> = {};
  const problems: Problems = {};
  for (const field of fields) {
    const key = field.path.split('.').pop() as string;
    if (field.kind === 'group') {
      const part: Record<string, unknown> = {};
      let changed = false;
      let entered = false;
      for (const leaf of leaves(field.fields)) {
        const { value, problem } = convert(leaf, values);
        if (problem) problems[leaf.path] = problem;
        const leafKey = leaf.path.slice(field.path.length + 1);
        if (value !== undefined && value !== null) {
          part[leafKey] = value;
          entered = true;
        }
        if (!same(values[leaf.path], initial[leaf.path])) changed = true;
      }
      const needed = mode === 'create' || (field.secret ? entered : changed);
      if (needed) {
        for (const leaf of leaves(field.fields))
          if (leaf.required && part[leaf.path.slice(field.path.length + 1)] === undefined)
            problems[leaf.path] ??= field.secret && mode === 'edit' ? 'to replace the credentials, enter every one' : 'required';
        if (mode === 'create' ? entered || field.required : true) body[key] = part;
      }
      continue;
    }
    const { value, problem } = convert(field, values);
    if (problem) {
      problems[field.path] = problem;
      continue;
    }
    if (mode === 'edit') {
      const changed = !same(values[field.path], initial[field.path]) || (field.kind === 'literal-or-list' && !same(values[`${field.path}#mode`], initial[`${field.path}#mode`]));
      if (changed && value !== undefined) body[key] = value;
      continue;
    }
    if (value === undefined || value === null) {
      if (field.required) problems[field.path] = 'required';
      continue;
    }
    body[key] = value;
  }
  return { body, problems };
}

/** The API's field names (`body.settings.accountId`) as the form's paths (`settings.accountId`). */
export function problemsFromApi(details: { field: string; message: string }[]): Problems {
  return Object.fromEntries(details.map((detail) => [detail.field.replace(/^body\./, ''), detail.message]));
}
