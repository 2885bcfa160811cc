/**
 * Guide §3.1.4.3.2: VPC endpoint lookups are limited to 2000 a minute per account (the domain) and
 * 20 a minute per sub-account (an IAM user); the domain's administrator counts only against the
 * account. Fixed one-minute windows per key, in memory.
 */
import { RateLimitedError } from '../errors';

export const ACCOUNT_LOOKUPS_PER_MINUTE = 2000;
export const USER_LOOKUPS_PER_MINUTE = 20;
const WINDOW_MS = 60_000;

export class EndpointLookupLimits {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limits = { account: ACCOUNT_LOOKUPS_PER_MINUTE, user: USER_LOOKUPS_PER_MINUTE },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one lookup, or throws RateLimitedError (429 with Retry-After) when a limit is reached. */
  take(caller: { domainId: string; userId: string; isAdmin: boolean }): void {
    const t = this.clock();
    const account = this.window(`domain:${caller.domainId}`, t);
    const user = caller.isAdmin ? undefined : this.window(`user:${caller.userId}`, t);
    if (account.count >= this.limits.account) throw limited('account', this.limits.account, account.startedAt + WINDOW_MS - t);
    if (user && user.count >= this.limits.user) throw limited('user', this.limits.user, user.startedAt + WINDOW_MS - t);
    account.count++;
    if (user) user.count++;
  }

  private window(key: string, t: number) {
    let w = this.windows.get(key);
    if (!w || t - w.startedAt >= WINDOW_MS) {
      w = { startedAt: t, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(t);
    }
    return w;
  }

  private sweep(t: number): void {
    for (const [key, w] of this.windows) if (t - w.startedAt >= WINDOW_MS) this.windows.delete(key);
  }
}

function limited(who: 'account' | 'user', limit: number, retryMs: number): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(retryMs / 1000));
  return new RateLimitedError(`Endpoint lookups are limited to ${limit} a minute per ${who} (guide §3.1.4.3.2); try again in ${seconds} seconds.`, seconds);
}
