/** Token lookups for the hot path: each token hits the database once, then lives in memory until it expires. */
import type http from 'node:http';
import type { TIdentity } from '../iam/identity';
import type { Iam } from '../iam/iam';
import { now } from '../ids';

const MAX_ENTRIES = 10_000;
const NEGATIVE_TTL_MS = 60_000;

/** The credential a request presents: its X-Auth-Token, else the session token the adapter passes in. */
export function credentialOf(req: http.IncomingMessage, sessionToken: string | undefined): { credential: string; kind: 'api' | 'session' } | undefined {
  const header = req.headers['x-auth-token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) return { credential: token, kind: 'api' };
  return sessionToken ? { credential: sessionToken, kind: 'session' } : undefined;
}

export type TTokenCheck = { identity: TIdentity } | { problem: 'invalid' | 'expired' };

export class CredentialCache {
  private readonly known = new Map<string, { identity: TIdentity; expiresAt: number }>();
  private readonly rejected = new Map<string, { problem: 'invalid' | 'expired'; until: number }>();

  constructor(private readonly iam: Iam) {}

  check(token: string, kind: 'api' | 'session'): TTokenCheck {
    const key = `${kind}:${token}`;
    const t = now();
    const hit = this.known.get(key);
    if (hit) {
      if (hit.expiresAt > t) return { identity: hit.identity };
      this.known.delete(key);
      return { problem: 'expired' };
    }
    const miss = this.rejected.get(key);
    if (miss && miss.until > t) return { problem: miss.problem };
    const found = this.iam.resolveToken(token, kind);
    if (found && found !== 'expired') {
      if (this.known.size >= MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
      this.known.set(key, found);
      return { identity: found.identity };
    }
    const problem = found === 'expired' ? 'expired' : 'invalid';
    if (this.rejected.size >= MAX_ENTRIES) this.rejected.delete(this.rejected.keys().next().value!);
    this.rejected.set(key, { problem, until: t + NEGATIVE_TTL_MS });
    return { problem };
  }

  /** Logout / revocation: forget the token at once. */
  forget(token: string, kind: 'api' | 'session'): void {
    this.known.delete(`${kind}:${token}`);
  }

  /** A user's tokens were revoked (deleted, removed from a project): the cache asks the database again. */
  forgetUser(userId: string, projectId: string): void {
    for (const [key, hit] of this.known) if (hit.identity.userId === userId && hit.identity.projectId === projectId) this.known.delete(key);
  }
}
