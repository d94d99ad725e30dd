/**
 * A create or edit form for a typed record (integration, notification channel) built from the
 * API's schema variants: a type choice (fixed when editing), the variant's fields, and the API's
 * refusal shown beside the form and under the fields it names.
 */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, asApiError } from '../api';
import { SchemaFields } from '../schema-form';
import { bodyFrom, initialValues, problemsFromApi } from '../form-body';
import { fieldsOf, type Problems, type Value, type Variant } from '../schema-fields';
import { Problem } from './problem';

export interface RecordFormProps {
  /** Heading, e.g. "New integration". */
  title: string;
  variants: Variant[];
  /** Editing: the record (its type is fixed, secrets start empty). */
  existing?: { type: string } & Record<string, unknown>;
  submitLabel: string;
  testId: string;
  /** Sends the body; resolves when the API accepted it. */
  onSubmit: (type: string, body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}

export function RecordForm({ title, variants, existing, submitLabel, testId, onSubmit, onCancel }: RecordFormProps) {
  const mode = existing ? 'edit' : 'create';
  const [type, setType] = useState(existing?.type ?? variants[0]?.type ?? '');
  const variant = variants.find((v) => v.type === type);
  const fields = useMemo(() => (variant ? fieldsOf(variant.schema, { skip: ['type'] }) : []), [variant]);
  const initial = useMemo(() => initialValues(fields, existing), [fields, existing]);
  const [values, setValues] = useState(initial);
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = `${testId}-${existing ? 'edit' : 'new'}`;

  const chooseType = (next: string) => {
    setType(next);
    const nextVariant = variants.find((v) => v.type === next);
    const nextFields = nextVariant ? fieldsOf(nextVariant.schema, { skip: ['type'] }) : [];
    // What was typed in fields the types share (name, policy) stays; the rest starts over.
    setValues({ ...initialValues(nextFields), ...Object.fromEntries(Object.entries(values).filter(([path]) => !/^(settings|credentials|secrets)\./.test(path))) });
    setProblems({});
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const { body, problems: found } = bodyFrom(fields, values, mode, initial);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      setError(new ApiError(0, 'invalid', 'Some fields need attention (marked below).'));
      return;
    }
    if (mode === 'edit' && Object.keys(body).length === 0) {
      setError(new ApiError(0, 'unchanged', 'Nothing changed.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(type, body);
    } catch (err) {
      const refused = asApiError(err);
      setError(refused);
      setProblems(problemsFromApi(refused.details));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="record-form" data-testid={testId} aria-labelledby={`${formId}-title`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${formId}-title`}>{title}</h2>
      <div class="field">
        <label for={`${formId}-type`}>Type</label>
        <select id={`${formId}-type`} name="type" data-testid="form-type" value={type} disabled={mode === 'edit'} onChange={(e) => chooseType(e.currentTarget.value)}>
          {variants.map((v) => (
            <option key={v.type} value={v.type}>
              {v.label} ({v.type})
            </option>
          ))}
        </select>
      </div>
      <SchemaFields
        formId={formId}
        fields={fields}
        values={values}
        problems={problems}
        mode={mode}
        onChange={(path: string, value: Value) => setValues((previous) => ({ ...previous, [path]: value }))}
      />
      <Problem error={error} testId="form-error" />
      <div class="actions">
        <button type="submit" class="primary" data-testid="form-submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
