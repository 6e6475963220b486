// PostgreSQL array literals for settlement's set-based statements. node-postgres serializes a
// JavaScript array element by element through its generic prepareValue; for the tens of
// thousands of elements of one settlement transaction that was a large share of Node.js's CPU.
// Settlement only sends strings, safe integers, bigints and nulls, so a literal is a join.

/** An element of a settlement array parameter. */
export type SqlArrayElement = string | number | bigint | null;

/**
 * The array literal of `values` (`{1,NULL,"a\"b"}`), for a parameter cast to an array type
 * (`$1::numeric[]`). Strings are always quoted, with `"` and `\` escaped, so any text is safe
 * and the string "NULL" stays a string; numbers must be safe integers.
 */
export function sqlArray(values: readonly SqlArrayElement[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) parts[i] = 'NULL';
    else if (typeof value === 'string') parts[i] = quote(value);
    else if (typeof value === 'bigint') parts[i] = value.toString();
    else if (Number.isSafeInteger(value)) parts[i] = String(value);
    else throw new RangeError(`sqlArray: ${value} is not a safe integer`);
  }
  return `{${parts.join(',')}}`;
}

const NEEDS_ESCAPE = /["\\]/;

function quote(value: string): string {
  return NEEDS_ESCAPE.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}
