/** Columns that grow chunk by chunk: the rows a task keeps from arrays the next chunk reuses. */
export class GrowableF64 {
  private buf = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = v;
  }

  /** Appends `src[idx[0..count)]`. */
  gather(src: ArrayLike<number>, idx: Int32Array, count: number): void {
    if (this.length + count > this.buf.length) this.grow(this.length + count);
    const buf = this.buf;
    let at = this.length;
    for (let q = 0; q < count; q++) buf[at++] = src[idx[q]];
    this.length = at;
  }

  /** Appends `src[0..n)`. */
  append(src: Float64Array, n = src.length): void {
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    this.buf.set(n === src.length ? src : src.subarray(0, n), this.length);
    this.length += n;
  }

  /** The values, trimmed to their length (a copy: the builder may be reused). */
  values(): Float64Array {
    return this.buf.slice(0, this.length);
  }

  private grow(min: number): void {
    const next = new Float64Array(Math.max(min, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}
