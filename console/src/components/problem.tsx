/** An API refusal as the operator reads it: the message, and the fields it names. */
import type { ApiError } from '../api';

export function Problem({ error, testId }: { error: ApiError | undefined | null; testId?: string }) {
  if (!error) return null;
  return (
    <div class="problem" role="alert" data-testid={testId}>
      <p>
        {error.message}
        {error.status ? <span class="muted"> ({error.status === 0 ? error.code : `${error.status} ${error.code}`})</span> : null}
      </p>
      {error.details.length > 0 && (
        <ul>
          {error.details.map((detail) => (
            <li key={detail.field}>
              <code>{detail.field}</code>: {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
