/**
 * Where the gate and the client send registry requests: the docker-registry Anvil runs
 * (registry-manager.ts) or one named by ANVIL_REGISTRY_URL (ExternalRegistry below).
 */
import type { TRegistryProblem } from '../../contracts/images';
import { CoreError } from '../errors';

/** The private registry's origin and the Authorization header of Anvil's system credential. */
export type TUpstream = { origin: string; authorization: string };

export interface TRegistryBackend {
  readonly mode: 'managed' | 'external';
  /** Starts the registry if needed and waits until it answers; throws CoreError UNAVAILABLE saying why not. */
  upstream(): Promise<TUpstream>;
  /** Why the registry cannot serve now, or null. */
  problem(): { code: TRegistryProblem; detail: string } | null;
  /** When a tag was last pushed (epoch ms), where the backend can tell. */
  pushedAt(name: string, tag: string): number | null;
  close(): Promise<void>;
}

export const basicAuthorization = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const unavailable = (detail: string) => new CoreError('UNAVAILABLE', `The image repository is unavailable: ${detail}`);

/**
 * A registry Anvil does not run (ANVIL_REGISTRY_URL). Credentials in the URL (`http://user:pass@host:port`)
 * are sent as Anvil's system credential; storage, deletion and garbage collection are the operator's.
 */
export class ExternalRegistry implements TRegistryBackend {
  readonly mode = 'external';
  private readonly target: TUpstream;

  constructor(url: string) {
    const u = new URL(url);
    const authorization = u.username ? basicAuthorization(decodeURIComponent(u.username), decodeURIComponent(u.password)) : '';
    this.target = { origin: u.origin, authorization };
  }

  async upstream(): Promise<TUpstream> {
    return this.target;
  }

  problem() {
    return null;
  }

  pushedAt(): number | null {
    return null;
  }

  async close(): Promise<void> {}
}
