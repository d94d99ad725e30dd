/**
 * Renders the fields of schema-fields.ts as labelled inputs whose `name` is the API's field path
 * (`settings.accountId`, `credentials.apiToken`). Secrets are password inputs that start empty and
 * are never filled from the API. Problems (the browser's checks or the API's 400) sit under their field.
 */
import type { ComponentChildren, TargetedEvent } from 'preact';
import type { Field, Problems, Value, Values } from './schema-fields';

export interface SchemaFieldsProps {
  formId: string;
  fields: Field[];
  values: Values;
  problems: Problems;
  mode: 'create' | 'edit';
  onChange: (path: string, value: Value) => void;
}

const idOf = (formId: string, path: string) => `${formId}-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function Help({ id, field, problem, extra }: { id: string; field: Field; problem: string | undefined; extra?: string }) {
  return (
    <>
      {(field.description || extra) && (
        <p class="help" id={`${id}-help`}>
          {[field.description, extra].filter(Boolean).join(' ')}
        </p>
      )}
      {problem && (
        <p class="field-problem" id={`${id}-problem`} data-testid={`problem-${field.path}`}>
          {problem}
        </p>
      )}
    </>
  );
}

const describedBy = (id: string, field: Field, problem: string | undefined, extra?: string) =>
  [field.description || extra ? `${id}-help` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined;

/** A field with its label (and the required mark) above the control, and its help and problem below. */
function Labelled({ id, field, problem, extra, children }: { id: string; field: Field; problem: string | undefined; extra?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {field.required ? <span class="required"> (required)</span> : null}
      </label>
      {children}
      <Help id={id} field={field} problem={problem} extra={extra} />
    </div>
  );
}

function Leaf({ formId, field, values, problems, mode, onChange }: SchemaFieldsProps & { field: Field }) {
  const id = idOf(formId, field.path);
  const problem = problems[field.path];
  const value = values[field.path];
  const text = typeof value === 'string' ? value : '';
  const input = (event: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(field.path, event.currentTarget.value);
  const required = field.required && !(mode === 'edit' && field.kind === 'text' && field.secret);
  switch (field.kind) {
    case 'boolean':
      return (
        <div class="field check">
          <input
            id={id}
            type="checkbox"
            name={field.path}
            checked={value === true}
            onChange={(e) => onChange(field.path, e.currentTarget.checked)}
            aria-describedby={describedBy(id, field, problem)}
          />
          <label for={id}>{field.label}</label>
          <Help id={id} field={field} problem={problem} />
        </div>
      );
    case 'choice':
      return (
        <Labelled id={id} field={field} problem={problem}>
          <select id={id} name={field.path} value={text} onChange={input} required={required} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, field, problem)}>
            {(!field.required || field.nullable) && <option value="">{field.nullable ? 'provider default' : 'default'}</option>}
            {field.required && !field.nullable && text === '' && <option value="">choose…</option>}
            {field.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </Labelled>
      );
    case 'multi': {
      const chosen = Array.isArray(value) ? value : [];
      return (
        <fieldset class="field">
          <legend>{field.label}</legend>
          <Help id={id} field={field} problem={problem} />
          {field.options.map((option) => (
            <div class="check" key={option}>
              <input
                id={`${id}-${option}`}
                type="checkbox"
                name={field.path}
                value={option}
                checked={chosen.includes(option)}
                onChange={(e) => onChange(field.path, e.currentTarget.checked ? [...chosen, option] : chosen.filter((o) => o !== option))}
              />
              <label for={`${id}-${option}`}>{option}</label>
            </div>
          ))}
        </fieldset>
      );
    }
    case 'list':
      return (
        <Labelled id={id} field={field} problem={problem} extra="One per line.">
          <textarea id={id} name={field.path} rows={3} value={text} onInput={input} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, field, problem, 'One per line.')} />
        </Labelled>
      );
    case 'literal-or-list': {
      const listMode = values[`${field.path}#mode`] === 'list';
      return (
        <fieldset class="field">
          <legend>{field.label}</legend>
          <div class="check">
            <input id={`${id}-literal`} type="radio" name={`${field.path}-mode`} checked={!listMode} onChange={() => onChange(`${field.path}#mode`, 'literal')} />
            <label for={`${id}-literal`}>{field.literal === 'workspace' ? 'Whole workspace (every incident)' : field.literal}</label>
          </div>
          <div class="check">
            <input id={`${id}-list`} type="radio" name={`${field.path}-mode`} checked={listMode} onChange={() => onChange(`${field.path}#mode`, 'list')} />
            <label for={`${id}-list`}>Only these (one per line)</label>
          </div>
          <label for={id} class="sr-only">
            {field.label} entries
          </label>
          <textarea id={id} name={field.path} rows={3} value={text} disabled={!listMode} onInput={input} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, field, problem)} />
          <Help id={id} field={field} problem={problem} />
        </fieldset>
      );
    }
    case 'number':
      return (
        <Labelled id={id} field={field} problem={problem}>
          <input
            id={id}
            type="number"
            name={field.path}
            inputMode="numeric"
            step={field.integer ? 1 : 'any'}
            min={field.min}
            max={field.max}
            value={text}
            onInput={input}
            required={required}
            placeholder={field.nullable ? 'provider default' : undefined}
            aria-invalid={problem ? true : undefined}
            aria-describedby={describedBy(id, field, problem)}
          />
        </Labelled>
      );
    case 'text': {
      const extra = field.secret && mode === 'edit' ? 'Write-only: leave empty to keep the current value.' : field.secret ? 'Write-only: never shown again.' : undefined;
      return (
        <Labelled id={id} field={field} problem={problem} extra={extra}>
          <input
            id={id}
            {...(field.secret ? { type: 'password' as const, autoComplete: 'new-password' } : { type: 'text' as const, autoComplete: 'off' })}
            name={field.path}
            spellcheck={false}
            value={text}
            onInput={input}
            required={required}
            maxLength={field.maxLength}
            placeholder={field.secret && mode === 'edit' ? 'unchanged' : undefined}
            aria-invalid={problem ? true : undefined}
            aria-describedby={describedBy(id, field, problem, extra)}
          />
        </Labelled>
      );
    }
    case 'group':
      return null;
  }
}

export function SchemaFields(props: SchemaFieldsProps) {
  return (
    <>
      {props.fields.map((field) =>
        field.kind === 'group' ? (
          field.fields.length > 0 && (
            <fieldset class="group" key={field.path}>
              <legend>
                {field.label}
                {field.secret ? ' (write-only)' : ''}
              </legend>
              <SchemaFields {...props} fields={field.fields} />
            </fieldset>
          )
        ) : (
          <Leaf key={field.path} {...props} field={field} />
        ),
      )}
    </>
  );
}
