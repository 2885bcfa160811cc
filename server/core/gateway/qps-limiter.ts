/**
 * The traffic limit of a service (guide table 3-2 "服务流量限制"): a token bucket per service that
 * refills at the limit. Its burst is a tenth of a second's worth, so over any 10 s window the
 * admitted rate stays within about 1% of the limit, while short gaps are not punished.
 */
type TBucket = { limit: number; capacity: number; tokens: number; refilledAt: number };

export class QpsLimiter {
  private readonly buckets = new Map<string, TBucket>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Takes one request's token; false when the service is over its limit (answer 429). */
  admit(serviceId: string, limit: number): boolean {
    const t = this.clock();
    let bucket = this.buckets.get(serviceId);
    if (!bucket || bucket.limit !== limit) {
      const capacity = Math.max(1, Math.ceil(limit / 10));
      bucket = { limit, capacity, tokens: capacity, refilledAt: t };
      this.buckets.set(serviceId, bucket);
    } else {
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((t - bucket.refilledAt) * limit) / 1000);
      bucket.refilledAt = t;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
