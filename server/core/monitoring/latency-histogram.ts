/**
 * A latency histogram with log-scale buckets, four per doubling from 0.1 ms to ~52 s, so any
 * percentile read from it is within about 9% of the true value (a bucket's upper bound is 2^¼ of
 * its lower). Adding is O(1) and allocation-free; histograms of instances merge by adding counts.
 */
const MIN_MS = 0.1;
const PER_DOUBLING = 4;
const BUCKETS = 77;

/** Upper bound of bucket i, in ms; the last bucket also takes everything slower. */
export const bucketUpperMs = (i: number): number => MIN_MS * 2 ** (i / PER_DOUBLING);

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;

  add(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(PER_DOUBLING * Math.log2(ms / MIN_MS)));
    this.counts[i]++;
    this.total++;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
  }

  /** The q-quantile (0 < q ≤ 1), interpolated within its bucket as Prometheus' histogram_quantile does; null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = q * this.total;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i];
      if (n === 0 || seen + n < rank) {
        seen += n;
        continue;
      }
      const lower = i === 0 ? 0 : bucketUpperMs(i - 1);
      return lower + (bucketUpperMs(i) - lower) * ((rank - seen) / n);
    }
    return bucketUpperMs(BUCKETS - 1);
  }
}
