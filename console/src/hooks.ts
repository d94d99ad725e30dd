/** Small hooks the pages share: the hash route, a ticking clock, loading and polling the API. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asApiError, call, type ApiError } from './api';
import type { ActionOutcome } from './components/action-result';

/** The route is the URL's fragment (#/overview): no server round trip, and nothing secret ever goes in it. */
export function useHashRoute(): string {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The time, re-read every `everyMs` (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** When the data was last read. */
  at: number | undefined;
  reload: () => Promise<void>;
}

/**
 * Loads with `load` at once, again on `reload`, and every `pollMs` when given. The last good data
 * stays on screen while a later read fails (the error is shown beside it).
 */
export function useApi<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({ data: undefined, error: undefined, loading: true, at: undefined });
  const loadRef = useRef(load);
  loadRef.current = load;
  // Each change of `deps` starts a generation; answers of an older one are dropped.
  const generation = useRef(0);
  const polling = useRef(false);
  const read = useCallback(async (own: number) => {
    try {
      const data = await loadRef.current();
      if (own === generation.current) setState({ data, error: undefined, loading: false, at: Date.now() });
    } catch (err) {
      const error = asApiError(err);
      if (own === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, []);
  const reload = useCallback(() => read(generation.current), [read]);
  useEffect(() => {
    const own = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    void read(own);
    const poll = async () => {
      if (polling.current) return; // a slow answer is not stacked up by the poll
      polling.current = true;
      await read(own).finally(() => (polling.current = false));
    };
    const timer = pollMs ? window.setInterval(() => void poll(), pollMs) : undefined;
    return () => {
      generation.current++;
      if (timer !== undefined) window.clearInterval(timer);
    };
  }, deps);
  return { ...state, reload };
}

export interface ConfirmedRemoval<T> {
  /** The record waiting for the operator's confirmation, or null. */
  pending: T | null;
  ask(record: T | null): void;
  busy: boolean;
  /** Sends the DELETE, then says how it went (through `report`) and reloads the list. */
  confirm(): Promise<void>;
}

/** A removal the operator confirms first (a channel deleted, a key revoked): one DELETE, its outcome, the list read again. */
export function useConfirmedRemoval<T extends { id: string; name: string }>(
  pathOf: (record: T) => string,
  verb: { done: string; action: string },
  reload: () => Promise<void>,
  report: (outcome: ActionOutcome) => void,
): ConfirmedRemoval<T> {
  const [pending, ask] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      await call('DELETE', pathOf(pending));
      report({ kind: 'done', subject: pending.name, message: verb.done });
      await reload();
    } catch (err) {
      report({ kind: 'failed', subject: pending.name, action: verb.action, error: asApiError(err) });
    } finally {
      setBusy(false);
      ask(null);
    }
  };
  return { pending, ask, busy, confirm };
}
