/** Small hooks the pages share: the hash route, a ticking clock, loading and polling the API. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

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
      const error = err instanceof ApiError ? err : new ApiError(0, 'client_error', err instanceof Error ? err.message : String(err));
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
