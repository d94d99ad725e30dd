/** Sign in: the API key, checked with GET /v1/me, then kept in this tab's sessionStorage (session.ts). */
import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { keepKey } from '../session';
import type { Me } from '../types';

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const entered = key.trim();
    if (!entered) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = (await call<Me>('GET', '/v1/me', undefined, entered)).body;
      keepKey(entered);
      setKey('');
      onSignedIn(me);
    } catch (err) {
      setError(err instanceof ApiError ? (err.status === 401 ? 'The API refused this key (invalid or revoked).' : err.message) : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>scrubbing-orchestrator console</h1>
      <form data-testid="signin-form" method="post" onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="signin-key">API key</label>
          <input
            id="signin-key"
            type="password"
            name="apiKey"
            data-testid="signin-key"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error signin-help' : 'signin-help'}
          />
          <p class="help" id="signin-help">
            A workspace API key. It is kept in this tab only (sessionStorage), sent to this API only, and forgotten when the tab closes or you sign out.
          </p>
        </div>
        {error && (
          <p class="problem" role="alert" id="signin-error" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" data-testid="signin-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <a href="/docs">API reference</a>
      </p>
    </main>
  );
}
