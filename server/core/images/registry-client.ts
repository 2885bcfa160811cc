/**
 * Reads and deletes images through the registry's HTTP API v2 with Anvil's system credential:
 * the catalog, tags with their manifest digest, size (sum of the layers) and build time (from the
 * config blob), and tag deletion (by manifest digest, as registry 2.8 requires).
 */
import type { TImageTag } from '../../contracts/images';
import { CoreError } from '../errors';
import { unavailable, type TRegistryBackend } from './registry-backend';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');
const PAGE = 1000;
const PARALLEL = 8;

type TDescriptor = { mediaType?: string; digest: string; size: number; platform?: { os?: string; architecture?: string } };
type TManifest = { config?: TDescriptor; layers?: TDescriptor[]; manifests?: TDescriptor[] };
export type TManifestInfo = { digest: string; sizeBytes: number; configDigest: string | undefined };

export class RegistryClient {
  /** Build times by config digest: a blob never changes. */
  private readonly createdByConfig = new Map<string, number | null>();

  constructor(private readonly backend: TRegistryBackend) {}

  /** Every repository of the registry (all pages of /v2/_catalog). */
  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let last = '';
    for (;;) {
      const res = await this.request(`/v2/_catalog?n=${PAGE}${last ? `&last=${encodeURIComponent(last)}` : ''}`);
      const page = ((await this.json(res)) as { repositories?: string[] }).repositories ?? [];
      names.push(...page);
      if (!res.headers.get('link') || page.length === 0) return names;
      last = page.at(-1)!;
    }
  }

  /** The tags of a repository (full name), or undefined when it does not exist. */
  async tags(name: string): Promise<string[] | undefined> {
    const res = await this.request(`/v2/${name}/tags/list`);
    if (res.status === 404) return void (await res.body?.cancel());
    return (((await this.json(res)) as { tags?: string[] | null }).tags ?? []).sort();
  }

  /** A tag's manifest digest, layer sizes and config; undefined when the tag does not exist. */
  async manifest(name: string, reference: string): Promise<TManifestInfo | undefined> {
    const res = await this.request(`/v2/${name}/manifests/${reference}`, { headers: { accept: MANIFEST_TYPES } });
    if (res.status === 404) return void (await res.body?.cancel());
    const manifest = (await this.json(res)) as TManifest;
    const digest = res.headers.get('docker-content-digest') ?? '';
    if (manifest.manifests) {
      // A multi-platform index: report the linux/amd64 image (or the first) under the index's digest.
      const chosen = manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? manifest.manifests[0];
      const inner = chosen ? await this.manifest(name, chosen.digest) : undefined;
      return { digest, sizeBytes: inner?.sizeBytes ?? 0, configDigest: inner?.configDigest };
    }
    return { digest, sizeBytes: (manifest.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0), configDigest: manifest.config?.digest };
  }

  /** When the image was built, from its config blob (`created`), in epoch ms. */
  async created(name: string, configDigest: string | undefined): Promise<number | null> {
    if (!configDigest) return null;
    if (this.createdByConfig.has(configDigest)) return this.createdByConfig.get(configDigest)!;
    const res = await this.request(`/v2/${name}/blobs/${configDigest}`);
    const created = res.ok ? Date.parse(((await this.json(res)) as { created?: string }).created ?? '') : NaN;
    if (!res.ok) await res.body?.cancel();
    const value = Number.isFinite(created) ? created : null;
    if (res.ok) this.createdByConfig.set(configDigest, value);
    return value;
  }

  /** The tags of a repository with digest, size and build time; undefined when the repository does not exist. */
  async describeTags(name: string): Promise<TImageTag[] | undefined> {
    const tags = await this.tags(name);
    if (!tags) return undefined;
    const described = await mapLimit(tags, PARALLEL, async (tag) => {
      const m = await this.manifest(name, tag);
      return m ? { tag, digest: m.digest, sizeBytes: m.sizeBytes, createdAt: await this.created(name, m.configDigest), pushedAt: this.backend.pushedAt(name, tag) } : undefined;
    });
    return described.filter((t): t is TImageTag => !!t);
  }

  /** Deletes a manifest by digest; the registry also removes every tag that named it. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const res = await this.request(`/v2/${name}/manifests/${digest}`, { method: 'DELETE' });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) throw new CoreError('INTERNAL', `The registry refused to delete ${name}@${digest} (HTTP ${res.status}).`);
    return true;
  }

  private async request(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    const upstream = await this.backend.upstream();
    const headers = new Headers(init.headers);
    if (upstream.authorization) headers.set('authorization', upstream.authorization);
    try {
      return await fetch(`${upstream.origin}${pathAndQuery}`, { ...init, headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw unavailable(`the registry did not answer (${(e as Error).message}).`);
    }
  }

  private async json(res: Response): Promise<unknown> {
    if (!res.ok) {
      await res.body?.cancel();
      throw unavailable(`the registry answered HTTP ${res.status}.`);
    }
    return res.json();
  }
}

/** Runs `fn` over `items` with at most `limit` calls at a time, keeping the order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
