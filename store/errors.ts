/** Errors the repositories throw for the API to render; never carry stored values. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** An unordered insert of many refused only because some of its documents exist (a duplicate key each). */
export function onlyDuplicateKeys(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const each = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return isDuplicateKey(err) && each.every(isDuplicateKey);
}
