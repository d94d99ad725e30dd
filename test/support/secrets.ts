import { recordEvidence, recordSecrets } from './secret-scan';

/** Asserts that no secret appears in anything an adapter threw or returned (message, stack, details). */
export function serialise(value: unknown): string {
  if (value instanceof Error) {
    return JSON.stringify({ name: value.name, message: value.message, stack: value.stack, ...(value as unknown as Record<string, unknown>) });
  }
  return JSON.stringify(value) ?? String(value);
}

export function expectNoSecrets(values: unknown[], secrets: string[]): void {
  recordSecrets(...secrets);
  recordEvidence('adapter-outcome', ...values.map(serialise));
  const text = values.map(serialise).join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrownBy(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** Keeps everything an adapter returned or threw, for a secret scan at the end of the file. */
export function outcomeRecorder() {
  const seen: unknown[] = [];
  return {
    seen,
    async run<T>(promise: Promise<T>): Promise<T> {
      const value = await promise;
      seen.push(value);
      return value;
    },
    async fails(fn: () => Promise<unknown>): Promise<Error> {
      const err = await thrownBy(fn);
      seen.push(err);
      return err;
    },
  };
}
