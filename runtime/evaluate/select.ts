/**
 * Which events a test selects (the signal, the held-out events), given as a function of the
 * event index or as data: event i is selected when `values[i] === is`.
 *
 * Why data: the loops over every event (the sort's scatter, the efficiency sums) called a closure
 * per event, and every evaluation makes closures of its own (`(i) => label[i] === signal`).
 * V8 optimises such a loop for the closure it saw, and a new one throws that code away: at 10M
 * events, ~0.09 s more in the scatter and ~0.12 s more in the efficiency sums than with one closure
 * for the process (bench/evaluate.ts). Reading the labels themselves costs the same every time.
 * A function is still accepted (tests, callers with a rule of their own): it is asked once per
 * event into a byte array first.
 */

export interface Selector {
  values: Int32Array | Uint8Array;
  is: number;
}

export type EventTest = ((i: number) => boolean) | Selector;

/** The test as data over n events. */
export function asSelector(test: EventTest, n: number): Selector {
  if (typeof test !== "function") return test;
  const values = new Uint8Array(n);
  for (let i = 0; i < n; i++) values[i] = Number(test(i));
  return { values, is: 1 };
}

/** The test as a function. */
export function asTest(test: EventTest): (i: number) => boolean {
  if (typeof test === "function") return test;
  const { values, is } = test;
  return (i) => values[i] === is;
}
