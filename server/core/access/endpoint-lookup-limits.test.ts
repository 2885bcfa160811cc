import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors';
import { ACCOUNT_LOOKUPS_PER_MINUTE, EndpointLookupLimits, USER_LOOKUPS_PER_MINUTE } from './endpoint-lookup-limits';

const user = (id: string, isAdmin = false, domainId = 'd') => ({ domainId, userId: id, isAdmin });

/** The error `take` throws, or undefined when it let the call through. */
function refusal(limits: EndpointLookupLimits, caller: ReturnType<typeof user>): RateLimitedError | undefined {
  try {
    limits.take(caller);
    return undefined;
  } catch (e) {
    if (e instanceof RateLimitedError) return e;
    throw e;
  }
}

describe('EndpointLookupLimits (guide §3.1.4.3.2: 2000 a minute per account, 20 per user)', () => {
  it('uses the guide\'s numbers by default', () => {
    expect([ACCOUNT_LOOKUPS_PER_MINUTE, USER_LOOKUPS_PER_MINUTE]).toEqual([2000, 20]);
  });

  it('refuses a user\'s 21st lookup in a minute with the seconds left, lets other users through, and allows again a minute later', () => {
    let t = 0;
    const limits = new EndpointLookupLimits(undefined, () => t);
    for (let i = 0; i < 20; i++) expect(refusal(limits, user('u1'))).toBeUndefined();
    t = 45_000;
    const refused = refusal(limits, user('u1'));
    expect(refused?.retryAfterSeconds).toBe(15);
    expect(refused?.message).toMatch(/20 a minute per user/);
    expect(refusal(limits, user('u2'))).toBeUndefined();
    t = 59_999;
    expect(refusal(limits, user('u1'))).toBeInstanceOf(RateLimitedError);
    t = 60_000;
    expect(refusal(limits, user('u1'))).toBeUndefined();
  });

  it('does not hold the user limit against the domain\'s administrator', () => {
    const limits = new EndpointLookupLimits(undefined, () => 0);
    for (let i = 0; i < 21; i++) expect(refusal(limits, user('admin', true))).toBeUndefined();
    for (let i = 0; i < 500; i++) limits.take(user('admin', true));
  });

  it('shares 2000 lookups a minute among the account\'s users, the administrator included; other accounts are apart', () => {
    let t = 0;
    const limits = new EndpointLookupLimits(undefined, () => t);
    for (let u = 0; u < 95; u++) for (let i = 0; i < 20; i++) limits.take(user(`u${u}`));
    for (let i = 0; i < 100; i++) limits.take(user('admin', true));
    // 1900 + 100: the account is spent, whoever calls.
    expect(refusal(limits, user('fresh'))?.message).toMatch(/2000 a minute per account/);
    expect(refusal(limits, user('admin', true))?.message).toMatch(/per account/);
    expect(refusal(limits, user('x', false, 'other-domain'))).toBeUndefined();
    t = 60_000;
    expect(refusal(limits, user('fresh'))).toBeUndefined();
  });

  it('does not count a refused lookup: a user over their limit does not use up the account', () => {
    const limits = new EndpointLookupLimits({ account: 25, user: 20 }, () => 0);
    for (let i = 0; i < 20; i++) limits.take(user('u1'));
    for (let i = 0; i < 50; i++) expect(refusal(limits, user('u1'))).toBeInstanceOf(RateLimitedError);
    for (let i = 0; i < 5; i++) expect(refusal(limits, user('u2'))).toBeUndefined();
    expect(refusal(limits, user('u2'))?.message).toMatch(/25 a minute per account/);
  });
});
