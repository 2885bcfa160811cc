/**
 * The image repository as the adapters and the deploy code see it: per-project credentials,
 * repositories and tags of the caller's project, tag deletion, image resolution, and the status
 * the repository page shows. Composes the backend (managed docker-registry or ANVIL_REGISTRY_URL),
 * the gate and the API client.
 */
import { REPOSITORY_NAME_PATTERN } from '../../contracts/images';
import type { TProjectRef } from '../../contracts/admin';
import { formatEventMessage } from '../../contracts/events';
import type { TDeleteTagResult, TImageRepository, TImageRepositoryStatus, TImageTag, TRegistryCredential } from '../../contracts/images';
import type { TDatabase } from '../db/database';
import { CoreError, type TCoreErrorCode } from '../errors';
import { ExternalRegistry, type TRegistryBackend } from './registry-backend';
import { RegistryClient } from './registry-client';
import { RegistryCredentials } from './registry-credentials';
import { RegistryGate } from './registry-gate';
import { RegistryManager, type TRegistryTimings } from './registry-manager';
import { isInProject } from './registry-paths';

export type TImageRepositoryOptions = {
  /** `<dataDir>/registry`. */
  dir: string;
  /** Where the gate listens (ANVIL_REGISTRY_HOST / ANVIL_REGISTRY_PORT); undefined: no gate. */
  gate?: { host: string; port: number };
  /** The host users push to, shown in the commands (the gate's host, or the public URL's when it listens on all addresses). */
  publicHost: string;
  /** ANVIL_REGISTRY_URL: use that registry and run none. */
  externalUrl?: string;
  /** The docker-registry executable (ANVIL_REGISTRY_BIN). */
  binary: string;
  searchPath?: string;
  timings?: Partial<TRegistryTimings>;
};

/** Why an image cannot be used, with the guide's event (A7, A19) the deploy code records. */
export class ImageSourceError extends CoreError {
  constructor(
    code: TCoreErrorCode,
    readonly event: { code: 'A7' | 'A19'; args: string[] },
    /** What went wrong underneath (registry down), for the log. */
    readonly detail?: string,
  ) {
    super(code, formatEventMessage(event.code, event.args, 'en'));
    this.name = 'ImageSourceError';
  }
}

const VALID_REPOSITORY = new RegExp(`^${REPOSITORY_NAME_PATTERN}$`);
const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export class ImageRepositoryService {
  readonly credentials: RegistryCredentials;
  readonly backend: TRegistryBackend;
  readonly client: RegistryClient;
  readonly gate: RegistryGate;

  constructor(
    db: TDatabase,
    private readonly opts: TImageRepositoryOptions,
  ) {
    this.credentials = new RegistryCredentials(db);
    this.backend = opts.externalUrl
      ? new ExternalRegistry(opts.externalUrl)
      : new RegistryManager({ dir: opts.dir, binary: opts.binary, searchPath: opts.searchPath, timings: opts.timings });
    this.client = new RegistryClient(this.backend);
    this.gate = new RegistryGate({ credentials: this.credentials, backend: this.backend, client: this.client });
  }

  /** Opens the gate; the registry itself starts on first use (or with `warmUp`). */
  async open(): Promise<void> {
    if (this.opts.gate) await this.gate.listen(this.opts.gate.host, this.opts.gate.port);
  }

  /** Starts the registry now rather than on first use; a failure is only reported by `status`. */
  warmUp(): void {
    if (!this.backend.problem()) this.backend.upstream().catch(() => undefined);
  }

  /** host:port of the gate, what users `docker login` to. */
  address(): string {
    return `${this.opts.publicHost}:${this.gate.port() ?? this.opts.gate?.port ?? '-'}`;
  }

  status(): TImageRepositoryStatus {
    const gateError = this.gate.error();
    const problem = !this.opts.gate
      ? { code: 'not-configured' as const, detail: 'Anvil was started without a registry port.' }
      : gateError
        ? { code: 'gate-unavailable' as const, detail: gateError }
        : this.backend.problem();
    return { mode: this.backend.mode, address: this.address(), problem };
  }

  credential(project: TProjectRef): TRegistryCredential {
    return this.credentials.get(project);
  }

  resetCredential(project: TProjectRef): TRegistryCredential {
    return this.credentials.reset(project);
  }

  /** The project's repositories with their tags; repositories whose tags were all deleted are left out. */
  async listRepositories(project: TProjectRef): Promise<TImageRepository[]> {
    const names = (await this.client.catalog()).filter((name) => isInProject(name, project.name)).sort();
    const repositories: TImageRepository[] = [];
    for (const full of names) {
      const tags = await this.client.describeTags(full);
      if (tags?.length) repositories.push({ name: full.slice(project.name.length + 1), path: `${this.address()}/${full}`, tags });
    }
    return repositories;
  }

  async listTags(project: TProjectRef, repository: string): Promise<TImageTag[]> {
    const tags = await this.client.describeTags(`${project.name}/${repository}`);
    if (!tags) throw new CoreError('NOT_FOUND', `Repository ${repository} does not exist.`);
    return tags;
  }

  /** Deletes the tag's manifest; other tags of the repository naming the same manifest go with it. */
  async deleteTag(project: TProjectRef, repository: string, tag: string): Promise<TDeleteTagResult> {
    const full = `${project.name}/${repository}`;
    const target = await this.client.manifest(full, tag);
    if (!target) throw new CoreError('NOT_FOUND', `Image ${repository} does not have the ${tag} tag.`);
    const tags = (await this.client.describeTags(full)) ?? [];
    const removedTags = tags.filter((t) => t.digest === target.digest).map((t) => t.tag);
    if (!(await this.client.deleteManifest(full, target.digest))) throw new CoreError('NOT_FOUND', `Image ${repository} does not have the ${tag} tag.`);
    return { removedTags: removedTags.includes(tag) ? removedTags : [tag, ...removedTags] };
  }

  /**
   * What a container runtime pulls for `<project>/<repository>:<tag>`: the reference through the
   * gate and the manifest digest; throws ImageSourceError with event A7 (no such tag) or A19.
   */
  async resolveImage(projectName: string, repository: string, tag: string): Promise<{ reference: string; digest: string }> {
    const full = `${projectName}/${repository}`;
    const a19 = (detail?: string) => new ImageSourceError(detail ? 'UNAVAILABLE' : 'NOT_FOUND', { code: 'A19', args: [] }, detail);
    // Checked before any request: `..` or `%2F` in a name would be resolved by the HTTP client into another project's path.
    if (!VALID_REPOSITORY.test(full) || !VALID_TAG.test(tag)) throw a19();
    const port = this.gate.port();
    if (!port) throw a19(this.status().problem?.detail ?? 'the image repository has no gate.');
    try {
      const tags = await this.client.tags(full);
      if (!tags) throw a19();
      const manifest = tags.includes(tag) ? await this.client.manifest(full, tag) : undefined;
      if (!manifest) throw new ImageSourceError('NOT_FOUND', { code: 'A7', args: [full, tag] });
      // Pinned by digest: a version always runs the image it was created from, whatever the tag names later.
      return { reference: `127.0.0.1:${port}/${full}@${manifest.digest}`, digest: manifest.digest };
    } catch (e) {
      if (e instanceof ImageSourceError) throw e;
      throw a19(e instanceof Error ? e.message : String(e));
    }
  }

  /** The credential a container engine pulls the project's images with (docker's auth config). */
  pullAuth(project: TProjectRef): { username: string; password: string; serveraddress: string } {
    const { username, password } = this.credentials.get(project);
    return { username, password, serveraddress: `127.0.0.1:${this.gate.port()}` };
  }

  async close(): Promise<void> {
    await this.gate.close();
    await this.backend.close();
  }
}

/** The host users push to: the gate's own, or the public URL's (else 127.0.0.1) when it listens on every address. */
export function gatePublicHost(gateHost: string, publicUrl: string | undefined): string {
  if (gateHost !== '0.0.0.0' && gateHost !== '::') return gateHost.includes(':') ? `[${gateHost}]` : gateHost;
  return publicUrl ? new URL(publicUrl).hostname : '127.0.0.1';
}
