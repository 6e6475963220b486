// The consume stage's guard: which of a fetched batch's records a leader applies, given the
// committed position of their partition.

/**
 * The fetched records to apply, given the partition's committed position `next`: those at or past
 * it, which must start exactly at it ('gap' when they start later, which would skip commands; the
 * orders log has no gaps of its own, its producer is not transactional). Records below `next`
 * were applied already.
 */
export function commandsToApply<M extends { readonly offset: string }>(
  messages: readonly M[],
  next: bigint,
): readonly M[] | 'gap' {
  let first = 0;
  while (first < messages.length && BigInt(messages[first].offset) < next) first += 1;
  if (first === messages.length) return [];
  if (BigInt(messages[first].offset) !== next) return 'gap';
  return first === 0 ? messages : messages.slice(first);
}
