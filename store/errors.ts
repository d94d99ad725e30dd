/** Errors the repositories throw for the API to render; never carry stored values. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
