/** Awaits a condition by polling it, with a deadline: the tests' only way to wait for asynchronous effects. */
export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
