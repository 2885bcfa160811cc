/**
 * Runtime driver for one Docker Engine node: one container per instance (see container-spec.ts),
 * its stdout/stderr streamed into the instance hooks, its exit (and an OOM kill) reported once,
 * engine stats sampled while it runs. Containers outlive an Anvil restart: a new Anvil finds them
 * by label and adopts them; whatever it does not adopt is removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import readline from 'node:readline';
import type Docker from 'dockerode';
import { publishHost, type TEndpoint } from '../../pools/docker-endpoint';
import type {
  RuntimeDriver, TExecResult, TFoundInstance, TInstanceHooks, TInstanceSpec, TIsolation, TNodeCapacity, TRunningInstance, TShellSession, TShellSize,
} from '../runtime-driver';
import { execInContainer, openContainerShell } from './docker-shell';
import { containerCreateOptions, containerName, INSTANCE_NETWORK, LABEL } from './container-spec';
import { statsSample, type TStatsSample } from './container-stats';

const STOP_GRACE_S = 5;
/** An engine call that takes longer has an engine that stopped answering: the caller hears so instead of waiting forever. */
const ENGINE_CALL_S = 30;
const STATS_INTERVAL_MS = 10_000;

export type TDockerDriverOptions = {
  nodeId: string;
  nodeName: string;
  docker: Docker;
  endpoint: TEndpoint;
  /** This Anvil installation: containers of another installation on the same engine are never touched. */
  owner: string;
  /** Anvil's runtime image for applications that bring no image of their own. */
  defaultImage: string;
  capacity: () => TNodeCapacity;
  onStats?: (sample: TStatsSample & { instanceId: string; serviceId: string }) => void;
  statsIntervalMs?: number;
  /** Credentials for pulling an image from Anvil's image repository (undefined: pull anonymously). */
  registryAuth?: (image: string) => TRegistryAuth | undefined;
};

export type TRegistryAuth = { username: string; password: string; serveraddress: string };

type TOwned = {
  container: Docker.Container;
  serviceId: string;
  memoryBytes: number;
  /** Settles once the container has exited and was removed, and its exit reported. */
  ended: Promise<void>;
  logs?: Readable;
  isDetached: boolean;
  /** Open CloudShell sessions: they end with the container. */
  shells: Set<TShellSession>;
  /** A training job's container: stopped, not left for adoption, when Anvil stops. */
  isJob?: boolean;
};

export class DockerDriver implements RuntimeDriver {
  readonly name = 'docker';
  private readonly owned = new Map<string, TOwned>();
  private networkReady: Promise<void> | undefined;
  private readonly statsTimer: NodeJS.Timeout;

  constructor(private readonly opts: TDockerDriverOptions) {
    this.statsTimer = setInterval(() => void this.sampleStats(), opts.statsIntervalMs ?? STATS_INTERVAL_MS);
    this.statsTimer.unref();
  }

  get docker(): Docker {
    return this.opts.docker;
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** A TCP node cannot mount Anvil's copy of a model: its instances run images with the model inside. */
  get isRemote(): boolean {
    return this.opts.endpoint.kind === 'tcp';
  }

  capacity(): TNodeCapacity {
    return this.opts.capacity();
  }

  isolation(): TIsolation {
    return {
      confined: true,
      user: 'nobody (65534) in a container',
      note:
        `Each instance is a container on ${this.opts.nodeName}: its own file system, process and network namespaces, no capabilities, ` +
        'no host folder but the read-only model, and the flavor\'s memory and CPU as hard limits.',
    };
  }

  /** The container of a running instance (CloudShell, EXEC probes). */
  container(instanceId: string): Docker.Container | undefined {
    return this.owned.get(instanceId)?.container;
  }

  async start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance> {
    const { docker } = this.opts;
    if (spec.job && this.isRemote) throw new Error(`training jobs need a local engine; ${this.opts.nodeName} is remote`);
    // A job's output folder on this machine: a private parent, the folder itself writable by the container's user.
    const jobDir = spec.job ? fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-job-')) : undefined;
    const jobOutput = jobDir && path.join(jobDir, 'output');
    if (jobOutput) {
      fs.mkdirSync(jobOutput, { mode: 0o700 });
      if (process.getuid?.() === 0) fs.chownSync(jobOutput, 65534, 65534);
      else fs.chmodSync(jobOutput, 0o777);
    }
    const options = containerCreateOptions(spec, {
      jobOutput,
      owner: this.opts.owner,
      publishIp: this.opts.endpoint.kind === 'unix' ? '127.0.0.1' : '0.0.0.0',
      // A local engine mounts the imported model read-only; a remote node needs it built into the image.
      modelSource: this.opts.endpoint.kind === 'unix' && !spec.image ? spec.modelDir : undefined,
      defaultImage: this.opts.defaultImage,
    });
    await this.requireImage(options.Image!);
    await this.ensureNetwork();
    await removeQuietly(docker.getContainer(containerName(spec.instanceId)));
    const container = await timed(docker.createContainer(options), 'create the container');
    try {
      // Attached before the start, so not one line of a model that fails at import is lost.
      const output = await timed(container.attach({ stream: true, stdout: true, stderr: true, logs: true }), 'attach to the container');
      const exited = container.wait({ condition: 'next-exit' });
      await timed(container.start(), 'start the container');
      // A job publishes no port it needs, and may have ended already.
      const running = spec.job ? { instanceId: spec.instanceId, host: publishHost(this.opts.endpoint), port: 0, pid: null, containerId: container.id } : await this.describe(container, spec.containerPort);
      const beforeRemoval = spec.job && jobOutput ? (exit: string) => spec.job!.collect(jobOutput, exit) : undefined;
      this.own(spec.instanceId, container, spec.serviceId, spec.memoryBytes, output, exited, hooks, { beforeRemoval, scratch: jobDir });
      return running;
    } catch (e) {
      await removeQuietly(container);
      if (jobDir) fs.rmSync(jobDir, { recursive: true, force: true });
      throw new Error(`cannot start the container on ${this.opts.nodeName}: ${engineMessage(e)}`);
    }
  }

  /** Runs a command in the instance's container as its user (EXEC probes). */
  async exec(instanceId: string, command: string[], timeoutMs: number): Promise<TExecResult> {
    return execInContainer(this.ownedOrThrow(instanceId).container, command, timeoutMs);
  }

  /** A `docker exec` shell with a TTY in the instance's container (CloudShell); it ends when the container does. */
  async openShell(instanceId: string, size: TShellSize): Promise<TShellSession> {
    const owned = this.ownedOrThrow(instanceId);
    const shell = await timed(openContainerShell(owned.container, size), 'open a shell');
    owned.shells.add(shell);
    shell.onExit(() => owned.shells.delete(shell));
    return shell;
  }

  private ownedOrThrow(instanceId: string): TOwned {
    const owned = this.owned.get(instanceId);
    if (!owned) throw new Error(`Instance ${instanceId} is not running on node ${this.opts.nodeName}.`);
    return owned;
  }

  async stop(instanceId: string): Promise<void> {
    const owned = this.owned.get(instanceId);
    if (!owned) return;
    try {
      await timed(owned.container.stop({ t: STOP_GRACE_S }), 'stop the container', (STOP_GRACE_S + ENGINE_CALL_S) * 1000);
    } catch (e) {
      // 304: already stopped; 404: already gone. Anything else: the engine did not stop it.
      const status = (e as { statusCode?: number }).statusCode;
      if (status !== 304 && status !== 404) throw new Error(`cannot stop the container on ${this.opts.nodeName}: ${engineMessage(e)}`);
    }
    await timed(owned.ended, 'remove the container');
  }

  async findInstances(): Promise<TFoundInstance[]> {
    const list = await timed(this.opts.docker.listContainers({ all: true, filters: { label: this.ownLabels() } }), 'list containers');
    return list.map((c) => {
      const published = c.Ports.find((p) => p.Type === 'tcp' && p.PublicPort);
      return {
        instanceId: c.Labels[LABEL.instance],
        serviceId: c.Labels[LABEL.service],
        appId: c.Labels[LABEL.app],
        generation: Number(c.Labels[LABEL.generation]),
        containerId: c.Id,
        isRunning: c.State === 'running' && !!published,
        host: publishHost(this.opts.endpoint),
        port: published?.PublicPort ?? 0,
        pid: null,
      };
    });
  }

  async adopt(found: TFoundInstance, hooks: TInstanceHooks): Promise<TRunningInstance> {
    const container = this.opts.docker.getContainer(found.containerId);
    const info = await timed(container.inspect(), 'inspect the container');
    const serviceId = info.Config.Labels[LABEL.service];
    // From now on: what it wrote before the restart is already in the log store.
    const output = (await timed(container.logs({ follow: true, stdout: true, stderr: true, since: Math.floor(Date.now() / 1000) }), 'follow the logs')) as Readable;
    const exited = container.wait({ condition: 'not-running' });
    this.own(found.instanceId, container, serviceId, info.HostConfig.Memory ?? 0, output, exited, hooks);
    return this.describe(container, undefined);
  }

  async reapStale(_records: { instanceId: string; pid: number | null }[], keep: ReadonlySet<string> = new Set()): Promise<void> {
    for (const found of await this.findInstances()) {
      if (!keep.has(found.instanceId)) await removeQuietly(this.opts.docker.getContainer(found.containerId));
    }
  }

  /** Anvil shutdown: stops following the containers, which keep serving until a new Anvil adopts them. */
  async stopAll(): Promise<void> {
    clearInterval(this.statsTimer);
    // A training job is not adopted by the next Anvil: it ends with this one.
    await Promise.all([...this.owned].filter(([, o]) => o.isJob).map(([id]) => this.stop(id).catch(() => undefined)));
    for (const owned of this.owned.values()) {
      owned.isDetached = true;
      owned.logs?.destroy();
      for (const shell of owned.shells) shell.close();
    }
    this.owned.clear();
  }

  /** Stops and removes every container this driver runs (tests, and `anvil` shutdown with --stop-containers). */
  async removeAll(): Promise<void> {
    clearInterval(this.statsTimer);
    await Promise.all([...this.owned.keys()].map((id) => this.stop(id)));
  }

  private own(
    instanceId: string, container: Docker.Container, serviceId: string, memoryBytes: number,
    output: NodeJS.ReadableStream, exited: Promise<{ StatusCode?: number }>, hooks: TInstanceHooks,
    job: { beforeRemoval?: (exit: string) => Promise<void>; scratch?: string } = {},
  ): void {
    const logs = output as Readable;
    const owned: TOwned = { container, serviceId, memoryBytes, logs, isDetached: false, ended: Promise.resolve(), shells: new Set(), isJob: !!job.beforeRemoval };
    this.followLogs(logs, hooks);
    owned.ended = exited
      .then((r) => r.StatusCode ?? -1, () => -1)
      .then(async (code) => {
        if (owned.isDetached) return;
        for (const shell of owned.shells) shell.close();
        const description = await this.exitDescription(container, code, memoryBytes);
        // A training job's output is read before anything of it goes.
        await job.beforeRemoval?.(description).catch((e) => console.error(`[docker-driver] collecting the output of job run ${instanceId} failed:`, e));
        await removeQuietly(container);
        if (job.scratch) fs.rmSync(job.scratch, { recursive: true, force: true });
        logs.destroy();
        this.owned.delete(instanceId);
        hooks.onExit(description);
      })
      .catch((e) => console.error(`[docker-driver] clean-up of instance ${instanceId} failed:`, e));
    this.owned.set(instanceId, owned);
  }

  /** Demultiplexes the engine's stdout/stderr frames into lines. */
  private followLogs(stream: Readable, hooks: TInstanceHooks): void {
    const out = new PassThrough();
    const err = new PassThrough();
    this.opts.docker.modem.demuxStream(stream, out, err);
    stream.on('end', () => (out.end(), err.end()));
    stream.on('error', () => (out.end(), err.end()));
    readline.createInterface({ input: out }).on('line', (line) => hooks.onLog('stdout', line));
    readline.createInterface({ input: err }).on('line', (line) => hooks.onLog('stderr', line));
  }

  private async exitDescription(container: Docker.Container, code: number, memoryBytes: number): Promise<string> {
    const state = await timed(container.inspect(), 'inspect the container').then((i) => i.State, () => undefined);
    if (state?.OOMKilled) return `exit code ${code}: out of memory, over its flavor's ${formatBytes(memoryBytes)}`;
    return code === -1 ? 'the engine lost the container' : `exit code ${code}`;
  }

  private async describe(container: Docker.Container, containerPort: number | undefined): Promise<TRunningInstance> {
    const info = await timed(container.inspect(), 'inspect the container');
    const ports = info.NetworkSettings.Ports ?? {};
    const key = containerPort ? `${containerPort}/tcp` : Object.keys(ports).find((k) => k.endsWith('/tcp'));
    const binding = key ? ports[key]?.[0] : undefined;
    if (!binding) throw new Error('the engine published no port for the container');
    return {
      instanceId: info.Config.Labels[LABEL.instance],
      host: publishHost(this.opts.endpoint),
      port: Number(binding.HostPort),
      pid: info.State.Pid || null,
      containerId: info.Id,
    };
  }

  private ownLabels(): string[] {
    return [`${LABEL.managed}=true`, `${LABEL.owner}=${this.opts.owner}`, `${LABEL.node}=${this.opts.nodeId}`];
  }

  /** The image on the node: already there, or pulled from the repository it names (with Anvil's credentials). */
  private async requireImage(image: string): Promise<void> {
    const { docker } = this.opts;
    // The engine answers some malformed names (`a/../b`) with a redirect that dockerode turns into an
    // uncaught error event: only well-formed references reach it.
    if (!IMAGE_REFERENCE.test(image)) throw new Error(`${JSON.stringify(image)} is not a valid image reference`);
    try {
      await timed(docker.getImage(image).inspect(), 'inspect the image');
      return;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    if (!hasRegistryHost(image)) {
      throw new Error(`image ${image} is not on node ${this.opts.nodeName} (build Anvil's runtime images with "npm run images")`);
    }
    const authconfig = this.opts.registryAuth?.(image);
    try {
      const stream = await docker.pull(image, authconfig ? { authconfig } : {});
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
          const failed = output?.find((o) => o.error);
          if (err || failed) reject(err ?? new Error(failed!.error));
          else resolve();
        }),
      );
    } catch (e) {
      throw new Error(`cannot pull image ${image} on node ${this.opts.nodeName}: ${engineMessage(e)}`);
    }
  }

  /** Instances share one bridge network without inter-container traffic. */
  private ensureNetwork(): Promise<void> {
    this.networkReady ??= (async () => {
      const { docker } = this.opts;
      const existing = await timed(docker.listNetworks({ filters: { name: [INSTANCE_NETWORK] } }), 'list networks');
      if (existing.some((n) => n.Name === INSTANCE_NETWORK)) return;
      await docker.createNetwork({
        Name: INSTANCE_NETWORK, Driver: 'bridge', CheckDuplicate: true,
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
        Labels: { [LABEL.managed]: 'true' },
      }).catch((e) => {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e;
      });
    })().catch((e) => {
      this.networkReady = undefined;
      throw e;
    });
    return this.networkReady;
  }

  private async sampleStats(): Promise<void> {
    const { onStats } = this.opts;
    if (!onStats) return;
    await Promise.all(
      [...this.owned.entries()].map(async ([instanceId, owned]) => {
        try {
          const raw = await timed(owned.container.stats({ stream: false }), 'read stats');
          onStats({ ...statsSample(raw), instanceId, serviceId: owned.serviceId });
        } catch {
          /* the container ended meanwhile: its exit is reported elsewhere */
        }
      }),
    );
  }
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** [registry host[:port]/]repository path, then :tag or @sha256:digest (the distribution reference grammar, without upper case). */
const IMAGE_REFERENCE = new RegExp(
  `^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\\d{1,5})?/)?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$`,
);

/** `host:port/…` or `registry.example.com/…`: the first path part names a registry. */
function hasRegistryHost(image: string): boolean {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes(':') || first.includes('.') || first === 'localhost');
}

/** Rejects when `promise` has not settled within `ms` (the request itself may still be pending). */
function timed<T>(promise: Promise<T>, what: string, ms = ENGINE_CALL_S * 1000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the engine did not ${what} within ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await timed(container.remove({ force: true, v: true }), 'remove the container');
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    // 404: gone; 409: removal already in progress.
    if (status !== 404 && status !== 409) throw e;
  }
}

/** The engine's own sentence ("No such image", "OCI runtime create failed: …") rather than dockerode's wrapper. */
function engineMessage(e: unknown): string {
  const json = (e as { json?: { message?: string } }).json;
  return json?.message ?? (e instanceof Error ? e.message : String(e));
}

const formatBytes = (bytes: number) => (bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`);
