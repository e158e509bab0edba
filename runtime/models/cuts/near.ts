/**
 * The bookkeeping both coordinate searches over a box of cuts share (search.ts's refine and
 * lagrange.ts's ascent): each event's count of the intervals it fails, and the list of events
 * that fail at most one, the only ones that can enter a feature's histogram in a pass.
 */

/** A feature's bin of an event above the last cut (`k`): the value is missing. */
const outside = (b: number, k: number, lo: number, hi: number, cut: boolean) => (b > k ? cut : b < lo || b > hi);

export class NearEvents {
  /** The events failing at most one interval, first `count` entries. */
  readonly list: Uint32Array;
  count = 0;
  private readonly listed: Uint8Array;

  constructor(private readonly failCount: Uint16Array) {
    this.list = new Uint32Array(failCount.length);
    this.listed = new Uint8Array(failCount.length);
  }

  /** The list rebuilt at the start of a pass. */
  rebuild(): void {
    const { failCount, list, listed } = this;
    let m = 0;
    listed.fill(0);
    for (let i = 0; i < failCount.length; i++) {
      if (failCount[i] <= 1) {
        list[m++] = i;
        listed[i] = 1;
      }
    }
    this.count = m;
  }

  /**
   * Feature `bins` (last cut `k`) moved its interval from [lo0, hi0] to [lo1, hi1]: the fail
   * counts follow, and an event brought down to one joins the list at once. Missing values fail
   * the interval unless it is the whole range.
   */
  move(bins: Uint16Array, k: number, lo0: number, hi0: number, lo1: number, hi1: number): void {
    const { failCount, list, listed } = this;
    const cut0 = lo0 > 0 || hi0 < k;
    const cut1 = lo1 > 0 || hi1 < k;
    for (let i = 0; i < bins.length; i++) {
      const b = bins[i];
      const was = outside(b, k, lo0, hi0, cut0);
      const is = outside(b, k, lo1, hi1, cut1);
      if (was === is) continue;
      failCount[i] += is ? 1 : -1;
      if (failCount[i] <= 1 && !listed[i]) {
        list[this.count++] = i;
        listed[i] = 1;
      }
    }
  }
}
