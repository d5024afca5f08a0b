// A set of positive integers kept as sorted, disjoint, non-adjacent inclusive ranges. Sync states
// hold two of them (item serials the client has, change numbers it has seen); both are nearly
// contiguous in practice, so they stay a handful of ranges however many items a folder holds.

export class RangeSet {
  /** Flat [start0, end0, start1, end1, ...], sorted, disjoint, with gaps of at least one. */
  private readonly bounds: number[];

  constructor(bounds: number[] = []) {
    this.bounds = bounds;
  }

  static of(...values: number[]): RangeSet {
    const set = new RangeSet();
    for (const v of values) set.add(v);
    return set;
  }

  static interval(start: number, end: number): RangeSet {
    return new RangeSet(end >= start ? [start, end] : []);
  }

  clone(): RangeSet {
    return new RangeSet(this.bounds.slice());
  }

  get rangeCount(): number {
    return this.bounds.length / 2;
  }

  rangeStart(index: number): number {
    return this.bounds[index * 2]!;
  }

  rangeEnd(index: number): number {
    return this.bounds[index * 2 + 1]!;
  }

  /** Index of the range holding `value`, or -1. */
  rangeIndexOf(value: number): number {
    const i = this.firstRangeEndingAtOrAfter(value);
    return i < this.rangeCount && this.rangeStart(i) <= value ? i : -1;
  }

  has(value: number): boolean {
    return this.rangeIndexOf(value) >= 0;
  }

  add(value: number): void {
    const i = this.firstRangeEndingAtOrAfter(value - 1);
    const b = this.bounds;
    if (i < this.rangeCount) {
      const start = b[i * 2]!;
      const end = b[i * 2 + 1]!;
      if (start <= value && value <= end) return;
      if (value === end + 1) {
        b[i * 2 + 1] = value;
        // Joins the next range if it now touches it.
        if (i + 1 < this.rangeCount && b[(i + 1) * 2] === value + 1) {
          b[i * 2 + 1] = b[(i + 1) * 2 + 1]!;
          b.splice((i + 1) * 2, 2);
        }
        return;
      }
      if (value === start - 1) {
        b[i * 2] = value;
        return;
      }
    }
    b.splice(i * 2, 0, value, value);
  }

  remove(value: number): void {
    const i = this.rangeIndexOf(value);
    if (i < 0) return;
    const b = this.bounds;
    const start = b[i * 2]!;
    const end = b[i * 2 + 1]!;
    if (start === end) b.splice(i * 2, 2);
    else if (value === start) b[i * 2] = value + 1;
    else if (value === end) b[i * 2 + 1] = value - 1;
    else b.splice(i * 2 + 1, 0, value - 1, value + 1);
  }

  *values(): IterableIterator<number> {
    for (let i = 0; i < this.bounds.length; i += 2) {
      for (let v = this.bounds[i]!; v <= this.bounds[i + 1]!; v++) yield v;
    }
  }

  size(): number {
    let n = 0;
    for (let i = 0; i < this.bounds.length; i += 2) n += this.bounds[i + 1]! - this.bounds[i]! + 1;
    return n;
  }

  toBounds(): readonly number[] {
    return this.bounds;
  }

  /** Binary search: the first range whose end is >= value. */
  private firstRangeEndingAtOrAfter(value: number): number {
    let lo = 0;
    let hi = this.rangeCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bounds[mid * 2 + 1]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
