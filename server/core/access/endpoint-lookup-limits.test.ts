import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors';
import { EndpointLookupLimits } from './endpoint-lookup-limits';

const user = (id: string, isAdmin = false) => ({ domainId: 'd', userId: id, isAdmin });

describe('EndpointLookupLimits', () => {
  it('lets a user make 20 lookups a minute, then refuses with a retry time, then allows again', () => {
    let t = 0;
    const limits = new EndpointLookupLimits(undefined, () => t);
    for (let i = 0; i < 20; i++) limits.take(user('u1'));
    t = 45_000;
    expect(() => limits.take(user('u1'))).toThrow(RateLimitedError);
    try {
      limits.take(user('u1'));
    } catch (e) {
      expect((e as RateLimitedError).retryAfterSeconds).toBe(15);
      expect((e as Error).message).toMatch(/20 a minute per user/);
    }
    limits.take(user('u2'));
    t = 60_000;
    limits.take(user('u1'));
  });

  it('counts the administrator only against the account, which all users share', () => {
    const limits = new EndpointLookupLimits({ account: 30, user: 20 }, () => 0);
    for (let i = 0; i < 25; i++) limits.take(user('admin', true));
    for (let i = 0; i < 5; i++) limits.take(user('u1'));
    expect(() => limits.take(user('u2'))).toThrow(/30 a minute per account/);
    expect(() => limits.take(user('admin', true))).toThrow(/per account/);
    // Another account is not affected.
    limits.take({ domainId: 'other', userId: 'x', isAdmin: false });
  });
});
