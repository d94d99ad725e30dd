/**
 * Login budgets for providers that lock a caller's address out after failed logins
 * (Hetzner Robot: 3 failures, 10 minutes, per IP). The budget is per egress address and
 * shared by every tenant and worker (the failures are kept in MongoDB by the worker; in
 * memory otherwise): never more failed logins in the window than `failures` (default 2,
 * one short of the lock). Provider operations (an attack's diversion, an operator's action)
 * may spend all of it; Tests and reconciliation reads only while no failure is in the window,
 * and never with credentials that failed in it. One failure blocks nothing else; once the
 * window has passed, the operation's retry (its delay is the window's end) tries again.
 */
import { ProviderError } from '../../catalog/errors';
import type { LoginFailure, LoginFailureStore } from '../../catalog/contract';

/** The budget is spent (or these credentials failed): nothing was sent. Retried once the window allows. */
export class ProviderLoginBudgetError extends ProviderError {
  readonly retryable = true;
}

export interface LoginBudgetOptions {
  /** Failed logins allowed per window and egress address (LOGIN_FAILURE_BUDGET). */
  failures: number;
  windowMs: number;
}

export type LoginPurpose = 'operation' | 'read';

export function memoryLoginFailures(): LoginFailureStore {
  const failures: (LoginFailure & { provider: string })[] = [];
  return {
    recent: (provider, since) => Promise.resolve(failures.filter((f) => f.provider === provider && f.at >= since)),
    record(provider, fingerprint, at) {
      failures.push({ provider, fingerprint, at });
      while (failures.length > 0 && (failures[0] as LoginFailure).at.getTime() < at.getTime() - 24 * 3_600_000) failures.shift();
      return Promise.resolve();
    },
  };
}

export function loginBudget(provider: string, store: LoginFailureStore, options: LoginBudgetOptions, now = () => new Date()) {
  const window = `${Math.round(options.windowMs / 60_000)} min`;
  return {
    /** Throws ProviderLoginBudgetError (with the time the budget allows again) when a login must not be tried now. */
    async check(fingerprint: string, purpose: LoginPurpose): Promise<void> {
      const at = now();
      const failures = await store.recent(provider, new Date(at.getTime() - options.windowMs));
      const reopens = (failure: LoginFailure | undefined) => new Date((failure?.at ?? at).getTime() + options.windowMs);
      const mine = failures.filter((f) => f.fingerprint === fingerprint);
      if (purpose === 'read' && mine.length > 0) {
        const until = reopens(mine[mine.length - 1]);
        throw new ProviderLoginBudgetError(
          `${provider}: these credentials were rejected at ${mine[mine.length - 1]!.at.toISOString()}; not used for reads or Tests before ${until.toISOString()} (a provider operation still tries them)`,
          { retryAfterMs: until.getTime() - at.getTime(), earliestAt: until.toISOString() },
        );
      }
      // Reads leave one failure of the budget to provider operations.
      const limit = purpose === 'operation' || options.failures < 2 ? options.failures : options.failures - 1;
      if (failures.length < limit) return;
      const until = reopens(failures[failures.length - limit]);
      throw new ProviderLoginBudgetError(
        `${provider}: login budget spent: ${failures.length} failed logins from this address in the last ${window} (the provider locks the address out after one more); ${purpose === 'read' ? 'reads and Tests wait' : 'next attempt'} until ${until.toISOString()}`,
        { retryAfterMs: Math.max(1_000, until.getTime() - at.getTime()), earliestAt: until.toISOString() },
      );
    },
    async failed(fingerprint: string): Promise<void> {
      await store.record(provider, fingerprint, now());
    },
  };
}

export type LoginBudget = ReturnType<typeof loginBudget>;
