// Reads the outbox as messages, for tests that look at what TX1 or settlement queued: a
// multi-message row (one per order batch) counts as the messages it holds, as the relay sends.
import { rowMessages, type OutboxRow } from '@app/outbox';

/** One queued message, as the relay would send it. */
export interface OutboxEntry {
  /** The message's `x-outbox-id`: `<row id>` or `<row id>:<n>`. */
  readonly outboxId: string;
  readonly rowId: string;
  /** The writing transaction's id, as text. */
  readonly txid: string;
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Columns to select (or return) from outbox for `outboxEntries`. */
export const OUTBOX_ENTRY_COLUMNS = `id::text AS id, txid::text AS txid, topic, key, payload,
  headers, messages`;

type Row = Omit<OutboxRow, 'settled'> & { readonly txid: string };

/** The messages of `rows` (selected with `OUTBOX_ENTRY_COLUMNS`), in row id order. */
export function outboxEntries(rows: readonly Row[]): OutboxEntry[] {
  const sorted = [...rows].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return sorted.flatMap((row) =>
    rowMessages({ ...row, settled: true }).map((message) => ({
      outboxId: message.outboxId,
      rowId: row.id,
      txid: row.txid,
      topic: row.topic,
      key: message.key,
      value: message.value,
      headers: message.headers,
    })),
  );
}

/** Every unpublished message in the outbox (of `topic`, if given), in publishing order. */
export async function readOutbox(
  db: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  topic?: string,
): Promise<OutboxEntry[]> {
  const rows = (await (topic === undefined
    ? db.query(`SELECT ${OUTBOX_ENTRY_COLUMNS} FROM outbox`)
    : db.query(`SELECT ${OUTBOX_ENTRY_COLUMNS} FROM outbox WHERE topic = $1`, [topic]))) as Row[];
  return outboxEntries(rows);
}
