import { describe, expect, it } from 'vitest';
import { QpsLimiter } from './qps-limiter';

/** Offers `offeredPerSecond` evenly for `seconds` on a simulated clock; returns how many were admitted. */
function run(limit: number, offeredPerSecond: number, seconds: number, start = 0): { admitted: number; limiter: QpsLimiter; end: number } {
  let t = start;
  const limiter = new QpsLimiter(() => t);
  let admitted = 0;
  const step = 1000 / offeredPerSecond;
  for (let i = 0; i < offeredPerSecond * seconds; i++, t += step) if (limiter.admit('svc', limit)) admitted++;
  return { admitted, limiter, end: t };
}

describe('QpsLimiter', () => {
  it.each([
    [10, 1000],
    [100, 1000],
    [1000, 5000],
    [7, 333],
  ])('admits %i/s within ±5%% over 10 s when offered %i/s', (limit, offered) => {
    const { admitted } = run(limit, offered, 10);
    expect(admitted / 10).toBeGreaterThanOrEqual(limit * 0.95);
    expect(admitted / 10).toBeLessThanOrEqual(limit * 1.05);
  });

  it('admits everything below the limit', () => {
    expect(run(100, 50, 10).admitted).toBe(500);
  });

  it('a burst after idling gets a tenth of a second’s worth, not a whole second', () => {
    let t = 0;
    const limiter = new QpsLimiter(() => t);
    limiter.admit('svc', 100);
    t = 60_000;
    let burst = 0;
    while (limiter.admit('svc', 100)) burst++;
    expect(burst).toBe(10);
  });

  it('a new limit applies to the next request', () => {
    let t = 0;
    const limiter = new QpsLimiter(() => t);
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (limiter.admit('svc', 1)) admitted++;
    expect(admitted).toBe(1);
    expect(limiter.admit('svc', 1000)).toBe(true);
    t += 1;
  });
});
