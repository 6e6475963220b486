export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` every 50 ms until it holds. A predicate that throws (a dependency restarting,
 * a process not listening yet) is tried again; the last error goes into the timeout message
 * with `describeState`'s account of what was seen.
 */
export async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  describeState?: () => Promise<string> | string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(50);
  }
  const state = describeState ? `: ${await describeState()}` : '';
  const error = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}${error}`);
}
