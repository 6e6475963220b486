/**
 * Opaque pagination cursors: the (time, id) of the last item of a page, base64url-encoded.
 * Pages are ordered newest first by (time DESC, id DESC), which the history indexes serve.
 */
export interface Cursor {
  readonly at: string;
  readonly id: string;
}

/**
 * `at` is the row's time as PostgreSQL's microsecond text (`cursor_at` of the list queries):
 * a JavaScript Date keeps milliseconds only, and a cursor truncated to them would skip the
 * rows that share the millisecond (every order of one batch has the same created_at).
 */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

/** The cursor, or undefined when it is not one this service made. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at)))
      return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}
