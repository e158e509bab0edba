/**
 * The helpers every generated kernel carries at the top of its source. They are plain JavaScript
 * in a string, not TypeScript functions, because the kernel's source must be self-contained: it is
 * rebuilt from text in worker threads (`kernelFromSource`) with nothing else in scope.
 *
 * Small helpers (__mod, __dphi) are inlined by V8's optimising compiler; they exist so that the
 * generated loops stay readable.
 */

export const PRELUDE = String.raw`
const PI = Math.PI;
const TWO_PI = 2 * Math.PI;

/** Floor modulo (Python's %): the result has the sign of the divisor; x % 0 is NaN. */
function __mod(a, b) {
  const r = a % b;
  if (r === 0) return 0;
  return (r < 0) !== (b < 0) ? r + b : r;
}

/** An angle difference wrapped into [-PI, PI]. */
function __dphi(d) {
  if (d > PI || d < -PI) d = d - TWO_PI * Math.floor((d + PI) / TWO_PI);
  return d;
}

/** A scratch array twice as long, with the old contents. */
function __grow(a) {
  const b = new a.constructor(a.length * 2);
  b.set(a);
  return b;
}

/** Offsets (n + 1, from 0) from per-event counts, for collections read through their count branch only. */
function __offsets(counts, n) {
  const o = new Int32Array(n + 1);
  let t = 0;
  for (let i = 0; i < n; i++) {
    o[i] = t;
    t += Number(counts[i]);
  }
  o[n] = t;
  return o;
}

function __check(ok, message) {
  if (!ok) throw new Error("hepc kernel: " + message);
}
`;

/** The prelude's functions, evaluated, for tests. */
export function preludeFunctions(): Record<string, (...args: number[]) => number> {
  const names = [...PRELUDE.matchAll(/^function (\w+)/gm)].map((m) => m[1]);
  return new Function(`${PRELUDE}\nreturn { ${names.join(", ")} };`)();
}
