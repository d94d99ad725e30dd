/**
 * Where the API key lives while the console is open: sessionStorage, per tab and gone when the
 * tab closes. Never localStorage, a cookie or a URL; only api.ts reads it, to send it as a
 * bearer token to this origin. Nothing here renders it.
 */
const STORAGE_KEY = 'scrubbing-console.api-key';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the key is asked for again
  }
}

export function keepKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
