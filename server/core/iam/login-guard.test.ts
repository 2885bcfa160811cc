import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors';
import { LoginGuard } from './login-guard';

function guardWithClock(limits: ConstructorParameters<typeof LoginGuard>[0] = {}) {
  const clock = { now: 1_000_000 };
  const guard = new LoginGuard(limits, () => clock.now);
  const fail = (user: string, address = '10.0.0.1') => guard.admit(address, user).failed();
  const refusal = (user: string, address = '10.0.0.1') => {
    try {
      guard.admit(address, user).succeeded();
    } catch (e) {
      if (e instanceof RateLimitedError) return e;
      throw e;
    }
    return undefined;
  };
  return { clock, guard, fail, refusal };
}

describe('login guard: per-user lock-out', () => {
  it('locks a user for 5 minutes after 5 failures within 5 minutes, even for the right password', () => {
    const { clock, fail, refusal } = guardWithClock();
    for (let i = 0; i < 5; i++) fail('anvil/admin');
    const locked = refusal('anvil/admin');
    expect(locked).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 300, message: 'Too many failed logins for this user; try again in 300 seconds.' });
    clock.now += 299_000;
    expect(refusal('anvil/admin')?.retryAfterSeconds).toBe(1);
    clock.now += 1_000;
    expect(refusal('anvil/admin')).toBeUndefined();
  });

  it('counts failures in a sliding 5-minute window, and a success clears them', () => {
    const { clock, fail, refusal } = guardWithClock();
    for (let i = 0; i < 4; i++) fail('u');
    clock.now += 5 * 60_000 + 1;
    fail('u'); // the 4 earlier ones have left the window
    expect(refusal('u')).toBeUndefined(); // a success: the count starts again
    for (let i = 0; i < 4; i++) fail('u');
    expect(refusal('u')).toBeUndefined();
  });

  it('locks one user only', () => {
    const { fail, refusal } = guardWithClock();
    for (let i = 0; i < 5; i++) fail('victim');
    expect(refusal('victim')).toBeInstanceOf(RateLimitedError);
    expect(refusal('someone-else')).toBeUndefined();
  });

  it('counts attempts still being checked, so a concurrent burst gets no more than 5 guesses', () => {
    const { guard } = guardWithClock();
    const inFlight = Array.from({ length: 5 }, () => guard.admit('10.0.0.1', 'admin'));
    expect(() => guard.admit('10.0.0.2', 'admin')).toThrow('Another login for this user is being checked');
    inFlight.forEach((a) => a.failed());
    expect(() => guard.admit('10.0.0.2', 'admin')).toThrow('Too many failed logins for this user; try again in 300 seconds.');
  });
});

describe('login guard: per-address rate limit', () => {
  it('allows 20 attempts a minute from one address, sliding, and says when the next one is allowed', () => {
    const { clock, fail, refusal } = guardWithClock();
    for (let i = 0; i < 20; i++) {
      fail(`user-${i}`);
      clock.now += 1_000;
    }
    // The oldest attempt leaves the window 60 s after it was made, i.e. 40 s from now.
    expect(refusal('fresh-user')).toMatchObject({ retryAfterSeconds: 40, message: 'Too many login attempts from this address; try again in 40 seconds.' });
    expect(refusal('fresh-user', '10.0.0.9')).toBeUndefined();
    clock.now += 40_000;
    expect(refusal('fresh-user')).toBeUndefined();
  });

  it('does not count successful logins against the address', () => {
    const { refusal } = guardWithClock({ addressMaxAttempts: 3 });
    for (let i = 0; i < 10; i++) expect(refusal('script-user')).toBeUndefined();
  });

  it('takes its limits from options (what tests and operators shrink)', () => {
    const { fail, refusal } = guardWithClock({ userMaxFailures: 2, userLockMs: 1_500 });
    fail('u');
    fail('u');
    expect(refusal('u')?.retryAfterSeconds).toBe(2);
  });
});
