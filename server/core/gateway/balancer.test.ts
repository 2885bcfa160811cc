import { describe, expect, it } from 'vitest';
import { LeastOutstanding } from './balancer';
import { InflightRequests } from './inflight';

const endpoints = ['a', 'b', 'c'].map((instanceId, i) => ({ instanceId, versionId: 'v', host: '127.0.0.1', port: 9000 + i }));

describe('LeastOutstanding', () => {
  it('goes round-robin while nothing is in flight', () => {
    const lb = new LeastOutstanding(new InflightRequests());
    expect([1, 2, 3, 4, 5, 6].map(() => lb.pick('s', endpoints).instanceId)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('skips an instance that still holds requests', () => {
    const inflight = new InflightRequests();
    const lb = new LeastOutstanding(inflight);
    inflight.begin('a');
    inflight.begin('a');
    inflight.begin('b');
    const picks = [1, 2, 3].map(() => lb.pick('s', endpoints).instanceId);
    expect(picks).toEqual(['c', 'c', 'c']);
  });

  it('sends a slow instance a small share when requests overlap', () => {
    // Instance "a" takes 10 ticks per request, "b" and "c" one tick: a simulated load of one request per tick.
    const inflight = new InflightRequests();
    const lb = new LeastOutstanding(inflight);
    const running: { end: () => void; at: number }[] = [];
    const share: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let tick = 0; tick < 3000; tick++) {
      for (const r of running.filter((r) => r.at <= tick)) r.end();
      running.splice(0, running.length, ...running.filter((r) => r.at > tick));
      for (let k = 0; k < 2; k++) {
        const { instanceId } = lb.pick('s', endpoints);
        share[instanceId]++;
        running.push({ end: inflight.begin(instanceId), at: tick + (instanceId === 'a' ? 10 : 1) });
      }
    }
    expect(share.a).toBeLessThan(share.b / 3);
    expect(share.b + share.c).toBeGreaterThan(5000);
  });
});
