/**
 * Brute-force protection for password logins: too many failures for one user (domain + name) lock
 * that user for a while, and one client address may only make so many attempts a minute. Attempts
 * still being checked count, so a concurrent burst cannot slip past either limit. A success clears
 * the user's failures and is not counted against the address (scripts and shared addresses that
 * log in correctly are never throttled). Unknown users are tracked exactly like known ones, so the
 * limiter reveals nothing about which names exist. Refusals say when to retry.
 */
import { RateLimitedError } from '../errors';

export type TLoginLimits = {
  /** Failures for one user within `userFailureWindowMs` that lock it. */
  userMaxFailures: number;
  userFailureWindowMs: number;
  userLockMs: number;
  /** Attempts one address may make within `addressWindowMs` (a sliding window). */
  addressMaxAttempts: number;
  addressWindowMs: number;
};

export const DEFAULT_LOGIN_LIMITS: TLoginLimits = {
  userMaxFailures: 5,
  userFailureWindowMs: 5 * 60_000,
  userLockMs: 5 * 60_000,
  addressMaxAttempts: 20,
  addressWindowMs: 60_000,
};

/** Entries kept per map before stale ones are swept: a spray of names or addresses cannot grow memory without bound. */
const MAX_TRACKED = 10_000;

type TUserState = { failures: number[]; pending: number; lockedUntil: number };

export type TLoginAttempt = { succeeded(): void; failed(): void };

export class LoginGuard {
  private readonly limits: TLoginLimits;
  private readonly users = new Map<string, TUserState>();
  /** Times of the attempts counted against each address, oldest first. */
  private readonly addresses = new Map<string, number[]>();

  constructor(limits: Partial<TLoginLimits> = {}, private readonly clock: () => number = Date.now) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Admits one attempt of `user` from `address`, or throws RATE_LIMITED saying when to retry; report the outcome on the result. */
  admit(address: string, user: string): TLoginAttempt {
    const now = this.clock();
    const { limits } = this;
    const times = this.addresses.get(address) ?? [];
    while (times.length > 0 && times[0] <= now - limits.addressWindowMs) times.shift();
    if (times.length >= limits.addressMaxAttempts) {
      throw refusal('Too many login attempts from this address', (times[0] ?? now) + limits.addressWindowMs - now);
    }
    const state = this.users.get(user) ?? { failures: [], pending: 0, lockedUntil: 0 };
    if (state.lockedUntil > now) throw refusal('Too many failed logins for this user', state.lockedUntil - now);
    state.failures = state.failures.filter((t) => t > now - limits.userFailureWindowMs);
    // Only attempts in flight can fill the rest of the budget: failures alone would have locked the user.
    if (state.failures.length + state.pending >= limits.userMaxFailures) throw refusal('Another login for this user is being checked', 1000);

    const at = now;
    times.push(at);
    state.pending++;
    this.track(this.addresses, address, times);
    this.track(this.users, user, state);
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      state.pending--;
      return true;
    };
    return {
      succeeded: () => {
        if (!settle()) return;
        state.failures = [];
        const counted = this.addresses.get(address);
        const i = counted?.indexOf(at) ?? -1;
        if (i >= 0) counted!.splice(i, 1);
      },
      failed: () => {
        if (!settle()) return;
        const failedAt = this.clock();
        state.failures.push(failedAt);
        if (state.failures.length >= limits.userMaxFailures) {
          state.lockedUntil = failedAt + limits.userLockMs;
          state.failures = [];
        }
      },
    };
  }

  private track<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key); // re-inserted last: the Map's order is then least recently used first
    map.set(key, value);
    if (map.size > MAX_TRACKED) this.sweep();
  }

  /** Drops what no longer limits anyone; if a spray keeps the maps full, the least recently used go. */
  private sweep(): void {
    const now = this.clock();
    for (const [key, times] of this.addresses) if (!times.some((t) => t > now - this.limits.addressWindowMs)) this.addresses.delete(key);
    for (const [key, s] of this.users) {
      if (s.pending === 0 && s.lockedUntil <= now && !s.failures.some((t) => t > now - this.limits.userFailureWindowMs)) this.users.delete(key);
    }
    for (const map of [this.addresses, this.users] as Map<string, unknown>[]) {
      for (const key of map.keys()) {
        if (map.size <= MAX_TRACKED * 0.9) break;
        map.delete(key);
      }
    }
  }
}

function refusal(why: string, retryMs: number): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(retryMs / 1000));
  return new RateLimitedError(`${why}; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, seconds);
}
