/** Running work over items a few at a time, stopping all of them cleanly when one fails. */
import { RunError } from "./errors.js";

/**
 * `work` on every item, at most `width` at a time, results in the items' order. When one fails,
 * the others are told to stop (through the signal they are given) and are waited for, so nothing
 * is left running or open; then the first failure is thrown (an interruption if the user's signal
 * fired first).
 */
export async function inWindow<T, R>(items: T[], width: number, signal: AbortSignal | undefined, work: (item: T, signal: AbortSignal) => Promise<R>): Promise<R[]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) stop.abort();
  const results: R[] = new Array(items.length);
  let next = 0;
  const state: { failure: { error: unknown } | null } = { failure: null };
  const lane = async (): Promise<void> => {
    while (next < items.length && !state.failure) {
      const k = next++;
      try {
        results[k] = await work(items[k], stop.signal);
      } catch (e) {
        // the interruption of a sample stopped because another one failed is not news
        const knockOn = e instanceof RunError && e.code === "HEP6005" && !signal?.aborted;
        if (!state.failure && !knockOn) state.failure = { error: e };
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (state.failure) throw state.failure.error;
  if (signal?.aborted) throw new RunError("HEP6005", {});
  return results;
}