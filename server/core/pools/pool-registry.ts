/**
 * Resource pools and their nodes. The `local` pool is this machine running instances as processes;
 * every other pool is a set of Docker Engine nodes, each with its own driver. The local engine is
 * added by itself when it answers. Each node's inventory (cores, memory, GPUs) is refreshed
 * periodically; the scheduler places instances on ready nodes against what placed instances hold.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { TFlavor } from '../../contracts/services';
import {
  ZAddNodeSchema, ZAllocatableSchema, ZCreatePoolSchema, type TAddNode, type TGpuInfo, type TNodeStatus, type TNodeView, type TPoolRuntime,
  type TPoolView,
} from '../../contracts/pools';
import type { TDatabase } from '../db/database';
import { findFlavor, flavorCatalog } from '../deploy/flavors';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import { DockerDriver, type TRegistryAuth } from '../runtime/docker/docker-driver';
import type { TStatsSample } from '../runtime/docker/container-stats';
import type { RuntimeDriver, TIsolation, TNodeCapacity } from '../runtime/runtime-driver';
import { nodeUsage, schedule, whyNeverFits, type THeldResources, type TNodeUsage, type TResourceRequest, type TSchedulableNode, type TScheduleResult } from '../scheduler/scheduler';
import { checkTls, dockerOptions, localEndpoint, parseEndpoint, type TEndpoint, type TNodeTls } from './docker-endpoint';
import { NVIDIA_SMI_QUERY_ARGS, parseNvidiaSmiCsv } from './nvidia-smi';

const run = promisify(execFile);

export const LOCAL_POOL = 'local';
export const LOCAL_NODE = 'local';
/** The pool the local engine joins when Anvil finds it. */
export const DOCKER_POOL = 'docker';
const INVENTORY_EVERY_MS = 60_000;
const ENGINE_TIMEOUT_MS = 5_000;

type TNodeRow = {
  id: string; pool_id: string; name: string; endpoint: string; tls: string | null; is_auto: number; status: TNodeStatus;
  status_reason: string; inventory: string | null; inventory_at: number | null; allocatable: string | null; created_at: number;
};
type TPoolRow = { id: string; runtime: TPoolRuntime; description: string; created_at: number };

/** What a node reported at its last check. */
export type TInventory = { cpus: number; memoryGiB: number; gpus: TGpuInfo[]; engineVersion: string; hasRuntimeImage: boolean; engineId?: string };

type TDockerNode = { row: TNodeRow; endpoint: TEndpoint; docker: Docker; driver: DockerDriver; inventory: TInventory | null };

export type TPoolRegistryDeps = {
  db: TDatabase;
  /** The local pool's driver and its node's capacity (ANVIL_POOL_CPUS / ANVIL_POOL_MEMORY_GIB applied). */
  processDriver: RuntimeDriver;
  processCapacity: () => TNodeCapacity;
  /** This installation's id: labels its containers, so two Anvils can share an engine. */
  owner: string;
  /** Anvil's runtime image (see images/base-images.ts). */
  runtimeImage: string;
  /** DOCKER_HOST when set. */
  dockerHost?: string;
  /** Set to false to never add the local engine (ANVIL_DOCKER=off). */
  autoDetectDocker: boolean;
  /** Capacity the auto-added local engine hands out (default: the engine's). */
  localAllocatable?: { cpus?: number; memoryGiB?: number };
  /** ANVIL_DEFAULT_POOL; default: the Docker pool once a node is ready with the runtime image, else `local`. */
  defaultPool?: string;
  onStats?: (sample: TStatsSample & { instanceId: string; serviceId: string }) => void;
  statsIntervalMs?: number;
  registryAuth?: (image: string) => TRegistryAuth | undefined;
};

export class PoolRegistry {
  private readonly dockerNodes = new Map<string, TDockerNode>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: TPoolRegistryDeps) {}

  /** Connects the saved nodes, adds the local engine when it answers, and takes each node's inventory. */
  async init(): Promise<void> {
    for (const row of this.nodeRows()) this.connect(row);
    if (this.deps.autoDetectDocker) await this.addLocalEngine();
    await this.refreshAll();
    this.refreshTimer = setInterval(() => void this.refreshAll(), INVENTORY_EVERY_MS);
    this.refreshTimer.unref();
  }

  async close(opts: { stopContainers: boolean }): Promise<void> {
    clearInterval(this.refreshTimer);
    for (const node of this.dockerNodes.values()) {
      if (opts.stopContainers) await node.driver.removeAll().catch((e) => console.error(`[pools] stopping containers on ${node.row.name}:`, e));
      await node.driver.stopAll();
    }
  }

  driverFor(nodeId: string): RuntimeDriver {
    if (nodeId === LOCAL_NODE) return this.deps.processDriver;
    const node = this.dockerNodes.get(nodeId);
    if (!node) throw new Error(`node ${nodeId} is no longer in any pool`);
    return node.driver;
  }

  /** A node's GPUs as nvidia-smi last read them (refreshed with the inventory, every minute); none where it was not read. */
  gpuReadings(nodeId: string): readonly TGpuInfo[] {
    return this.dockerNodes.get(nodeId)?.inventory?.gpus ?? [];
  }

  /**
   * Where a training job of `poolId` runs: this machine's process runtime for the local pool; for a
   * Docker pool, a ready engine on this machine with Anvil's runtime image (a job's code and output
   * are mounted from here, which a remote engine cannot do).
   */
  jobDriver(poolId: string): { driver: RuntimeDriver; nodeId: string } | { reason: string } {
    if (poolId === LOCAL_POOL) return { driver: this.deps.processDriver, nodeId: LOCAL_NODE };
    if (!this.poolExists(poolId)) return { reason: `There is no pool ${poolId}.` };
    const node = [...this.dockerNodes.values()].find((n) => n.row.pool_id === poolId && n.row.status === 'ready' && !n.driver.isRemote && n.inventory?.hasRuntimeImage);
    if (node) return { driver: node.driver, nodeId: node.row.id };
    return { reason: `No node of pool ${poolId} can run a training job: it needs a reachable Docker Engine on this machine with Anvil's runtime image (npm run images).` };
  }

  dockerDrivers(): { nodeId: string; driver: DockerDriver }[] {
    return [...this.dockerNodes.values()].map((n) => ({ nodeId: n.row.id, driver: n.driver }));
  }

  /** What confines model code in a pool, for the instances tab. */
  isolation(poolId: string): TIsolation {
    if (poolId === LOCAL_POOL) return this.deps.processDriver.isolation();
    const node = [...this.dockerNodes.values()].find((n) => n.row.pool_id === poolId);
    return node ? node.driver.isolation() : { confined: true, user: 'nobody (65534) in a container', note: 'The pool has no node.' };
  }

  nodeName(nodeId: string): string {
    return nodeId === LOCAL_NODE ? 'this machine' : (this.dockerNodes.get(nodeId)?.row.name ?? nodeId);
  }

  runtimeOf(poolId: string): TPoolRuntime | undefined {
    return this.poolRow(poolId)?.runtime;
  }

  poolExists(poolId: string): boolean {
    return !!this.poolRow(poolId);
  }

  defaultPoolId(): string {
    const wanted = this.deps.defaultPool;
    if (wanted && this.poolExists(wanted)) return wanted;
    const docker = this.schedulable(DOCKER_POOL);
    const hasImage = [...this.dockerNodes.values()].some((n) => n.row.pool_id === DOCKER_POOL && n.row.status === 'ready' && n.inventory?.hasRuntimeImage);
    return docker.some((n) => n.isReady) && hasImage ? DOCKER_POOL : LOCAL_POOL;
  }

  /** Places `count` instances of `flavorId` in the pool next to every placed instance, all or none. */
  place(poolId: string, flavorId: string, count: number): TScheduleResult {
    const flavor = findFlavor(flavorId);
    const nodes = this.schedulable(poolId);
    if (!flavor) {
      return { ok: false, availableNodes: 0, totalNodes: nodes.length, insufficient: { cpu: 0, memory: 0, gpu: 0, notReady: 0 }, detail: `The compute specification ${flavorId} no longer exists.` };
    }
    return schedule(nodes, this.held(), requestOf(flavor, count));
  }

  /** The catalog against a pool: greyed when no node can ever hold one instance, and how many fit now. */
  flavors(poolId: string): TFlavor[] {
    const nodes = this.schedulable(poolId);
    const held = this.held();
    return flavorCatalog().map((f) => {
      const reason = nodes.length ? whyNeverFits(nodes, requestOf(f, 1)) : 'The pool has no node.';
      const freeInstances = nodes.filter((n) => n.isReady).reduce((sum, n) => sum + fitsOn(n, nodeUsage(n, held), f), 0);
      return { ...f, isAvailable: !reason, ...(reason ? { unavailableReason: reason } : {}), freeInstances };
    });
  }

  pools(): TPoolView[] {
    const pools = this.deps.db.prepare('SELECT * FROM pools ORDER BY created_at, id').all() as TPoolRow[];
    const defaultId = this.defaultPoolId();
    return pools.map((p) => {
      const nodes = this.nodeViews(p.id);
      const isReady = nodes.some((n) => n.status === 'ready');
      return {
        id: p.id, runtime: p.runtime, description: p.description, isDefault: p.id === defaultId, nodes,
        unavailableReason: nodes.length === 0 ? 'The pool has no node.' : isReady ? '' : 'No node of the pool is reachable.',
      };
    });
  }

  createPool(input: unknown): TPoolView {
    const parsed = ZCreatePoolSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues[0].path.join('.') || 'id', parsed.error.issues[0].message);
    const { id, description } = parsed.data;
    if (this.poolRow(id)) throw new CoreError('CONFLICT', `A pool named ${id} already exists.`, 'id');
    this.deps.db.prepare(`INSERT INTO pools (id, runtime, description, created_at) VALUES (?, 'docker', ?, ?)`).run(id, description, now());
    return this.pools().find((p) => p.id === id)!;
  }

  deletePool(poolId: string): void {
    const pool = this.poolRow(poolId);
    if (!pool) throw notFound(`Pool ${poolId}`);
    if (pool.id === LOCAL_POOL) throw new CoreError('FAILED_PRECONDITION', 'The local pool cannot be deleted.');
    if (this.nodeRows().some((n) => n.pool_id === poolId)) throw new CoreError('FAILED_PRECONDITION', `Pool ${poolId} still has nodes; remove them first.`);
    const services = this.deps.db.prepare('SELECT COUNT(*) AS n FROM services WHERE pool = ?').get(poolId) as { n: number };
    if (services.n) throw new CoreError('FAILED_PRECONDITION', `${services.n} service(s) are deployed on pool ${poolId}; delete them first.`);
    this.deps.db.prepare('DELETE FROM pools WHERE id = ?').run(poolId);
  }

  /** Adds a Docker Engine node after checking that it answers (field errors name what is wrong). */
  async addNode(input: TAddNode): Promise<TNodeView> {
    const parsed = ZAddNodeSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues[0].path.join('.') || 'endpoint', parsed.error.issues[0].message);
    const { poolId, name, allocatable } = parsed.data;
    const pool = this.poolRow(poolId);
    if (!pool) throw invalid('poolId', `Pool ${poolId} does not exist.`);
    if (pool.runtime !== 'docker') throw invalid('poolId', 'The local pool is this machine; add Docker nodes to a Docker pool.');
    const endpoint = parseEndpoint(parsed.data.endpoint);
    const tls = checkTls(endpoint, parsed.data.tls);
    if (this.nodeRows().some((n) => n.name === name)) throw new CoreError('CONFLICT', `A node named ${name} already exists.`, 'name');
    const key = endpointKey(endpoint);
    if (this.nodeRows().some((n) => endpointKey(parseEndpoint(n.endpoint)) === key)) {
      throw new CoreError('CONFLICT', `That engine is already a node (${parsed.data.endpoint}).`, 'endpoint');
    }
    const docker = new Docker(dockerOptions(endpoint, tls, ENGINE_TIMEOUT_MS));
    let engineId: string;
    try {
      engineId = ((await docker.info()) as { ID: string }).ID;
    } catch (e) {
      throw invalid('endpoint', `The engine at ${parsed.data.endpoint} does not answer: ${(e as Error).message}`);
    }
    // Another address of an engine that is already a node would have its cores and memory counted twice.
    const twin = [...this.dockerNodes.values()].find((n) => n.inventory?.engineId === engineId);
    if (twin) throw new CoreError('CONFLICT', `That engine is already node ${twin.row.name} (${twin.row.endpoint}).`, 'endpoint');
    const row = this.insertNode({ poolId, name, endpoint: parsed.data.endpoint.trim(), tls, isAuto: false, allocatable });
    const node = this.connect(row);
    await this.refresh(node);
    return this.nodeViews(poolId).find((n) => n.id === row.id)!;
  }

  /** Removes a node that runs no instance. */
  async removeNode(nodeId: string): Promise<void> {
    const node = this.dockerNodes.get(nodeId);
    if (!node) throw notFound(`Node ${nodeId}`);
    const placed = this.deps.db.prepare('SELECT COUNT(*) AS n FROM instances WHERE node_id = ?').get(nodeId) as { n: number };
    if (placed.n) throw new CoreError('FAILED_PRECONDITION', `Node ${node.row.name} runs ${placed.n} instance(s); stop or delete their services first.`);
    await node.driver.stopAll();
    this.dockerNodes.delete(nodeId);
    this.deps.db.prepare('DELETE FROM nodes WHERE id = ?').run(nodeId);
  }

  /** Sets (or clears, with null) what the scheduler may hand out on a node. */
  setAllocatable(nodeId: string, allocatable: unknown): TNodeView {
    const node = this.dockerNodes.get(nodeId);
    if (!node) throw notFound(`Node ${nodeId}`);
    let json: string | null = null;
    if (allocatable !== null) {
      const parsed = ZAllocatableSchema.safeParse(allocatable);
      if (!parsed.success) throw invalid(`allocatable.${parsed.error.issues[0].path.join('.')}`, parsed.error.issues[0].message);
      json = JSON.stringify(parsed.data);
    }
    this.deps.db.prepare('UPDATE nodes SET allocatable = ? WHERE id = ?').run(json, nodeId);
    node.row = { ...node.row, allocatable: json };
    return this.nodeViews(node.row.pool_id).find((n) => n.id === nodeId)!;
  }

  async refreshAll(): Promise<void> {
    await Promise.all([...this.dockerNodes.values()].map((n) => this.refresh(n)));
  }

  /** The nodes of a pool as the scheduler sees them. */
  schedulable(poolId: string): TSchedulableNode[] {
    if (poolId === LOCAL_POOL) {
      const cap = this.deps.processCapacity();
      const gpus = Array.from({ length: cap.gpus }, (_, index) => ({ index, name: 'GPU' }));
      return [{ id: LOCAL_NODE, name: 'this machine', isReady: true, cpus: cap.cpus, memoryGiB: cap.memoryGiB, gpus }];
    }
    return [...this.dockerNodes.values()]
      .filter((n) => n.row.pool_id === poolId)
      .map((n) => {
        const total = this.allocatable(n);
        return {
          id: n.row.id, name: n.row.name, isReady: n.row.status === 'ready' && !!n.inventory,
          cpus: total.cpus, memoryGiB: total.memoryGiB, gpus: (n.inventory?.gpus ?? []).map((g) => ({ index: g.index, name: g.name })),
        };
      });
  }

  /** What every placed instance holds (its service's flavor on its node). */
  held(): THeldResources[] {
    const rows = this.deps.db
      // Each instance holds its version's flavor (an instance without a version predates versions: the service's).
      .prepare(
        `SELECT i.id, i.node_id, i.gpu_ids, COALESCE(v.flavor, s.flavor) AS flavor FROM instances i JOIN services s ON s.id = i.service_id
         LEFT JOIN service_versions v ON v.id = i.version_id WHERE i.node_id IS NOT NULL`,
      )
      .all() as { id: string; node_id: string; gpu_ids: string; flavor: string }[];
    return rows.map((r) => {
      const flavor = findFlavor(r.flavor);
      return { nodeId: r.node_id, cpus: flavor?.cpu ?? 0, memoryGiB: flavor?.memoryGiB ?? 0, gpuIndices: JSON.parse(r.gpu_ids) as number[] };
    });
  }

  private nodeViews(poolId: string): TNodeView[] {
    const held = this.held();
    const gpuOwners = this.deps.db.prepare('SELECT id, node_id, gpu_ids FROM instances WHERE node_id IS NOT NULL').all() as { id: string; node_id: string; gpu_ids: string }[];
    const counts = new Map<string, number>();
    for (const h of held) counts.set(h.nodeId, (counts.get(h.nodeId) ?? 0) + 1);
    return this.schedulable(poolId).map((s) => {
      const usage = nodeUsage(s, held);
      const docker = this.dockerNodes.get(s.id);
      const inventoryGpus: TGpuInfo[] = docker ? (docker.inventory?.gpus ?? []) : s.gpus.map((g) => ({ index: g.index, uuid: '', name: g.name, memoryTotalMiB: 0, memoryUsedMiB: null, utilizationPct: null }));
      const ownerOf = (index: number) => gpuOwners.find((o) => o.node_id === s.id && (JSON.parse(o.gpu_ids) as number[]).includes(index))?.id ?? null;
      return {
        id: s.id, name: docker?.row.name ?? s.name, poolId, endpoint: docker?.row.endpoint ?? 'process://this-machine', isAuto: docker ? !!docker.row.is_auto : true,
        status: docker ? docker.row.status : 'ready', statusReason: docker?.row.status_reason ?? '',
        engineVersion: docker?.inventory?.engineVersion ?? null,
        total: usage.total, used: usage.used, free: usage.free,
        gpus: inventoryGpus.map((g) => ({ ...g, instanceId: ownerOf(g.index) })),
        instances: counts.get(s.id) ?? 0, checkedAt: docker?.row.inventory_at ?? null,
      };
    });
  }

  private allocatable(node: TDockerNode): { cpus: number; memoryGiB: number } {
    const set = node.row.allocatable ? (JSON.parse(node.row.allocatable) as { cpus: number; memoryGiB: number }) : undefined;
    return { cpus: set?.cpus ?? node.inventory?.cpus ?? 0, memoryGiB: set?.memoryGiB ?? node.inventory?.memoryGiB ?? 0 };
  }

  private async addLocalEngine(): Promise<void> {
    const endpointText = localEndpoint(this.deps.dockerHost);
    const endpoint = parseEndpoint(endpointText);
    if (this.nodeRows().some((n) => endpointKey(parseEndpoint(n.endpoint)) === endpointKey(endpoint))) return;
    try {
      await new Docker(dockerOptions(endpoint, undefined, 2_000)).ping();
    } catch {
      return; // no engine here: the local process pool stays the default
    }
    if (!this.poolRow(DOCKER_POOL)) {
      this.deps.db.prepare(`INSERT INTO pools (id, runtime, description, created_at) VALUES (?, 'docker', ?, ?)`)
        .run(DOCKER_POOL, 'Docker Engine nodes: one container per instance.', now());
    }
    const { cpus, memoryGiB } = this.deps.localAllocatable ?? {};
    const allocatable = cpus || memoryGiB ? { cpus: cpus ?? 0, memoryGiB: memoryGiB ?? 0 } : undefined;
    const row = this.insertNode({ poolId: DOCKER_POOL, name: 'local-docker', endpoint: endpointText, tls: undefined, isAuto: true, allocatable });
    this.connect(row);
  }

  private insertNode(n: { poolId: string; name: string; endpoint: string; tls: TNodeTls | undefined; isAuto: boolean; allocatable?: { cpus: number; memoryGiB: number } }): TNodeRow {
    const id = `node-${newId().slice(0, 12)}`;
    const allocatable = n.allocatable && (n.allocatable.cpus || n.allocatable.memoryGiB) ? JSON.stringify(n.allocatable) : null;
    this.deps.db.prepare(
      `INSERT INTO nodes (id, pool_id, name, endpoint, tls, is_auto, status, created_at, allocatable) VALUES (?, ?, ?, ?, ?, ?, 'unknown', ?, ?)`,
    ).run(id, n.poolId, n.name, n.endpoint, n.tls ? JSON.stringify(n.tls) : null, Number(n.isAuto), now(), allocatable);
    return this.deps.db.prepare('SELECT * FROM nodes WHERE id = ?').get(id) as TNodeRow;
  }

  private connect(row: TNodeRow): TDockerNode {
    const endpoint = parseEndpoint(row.endpoint);
    const tls = row.tls ? (JSON.parse(row.tls) as TNodeTls) : undefined;
    const docker = new Docker(dockerOptions(endpoint, tls));
    const node: TDockerNode = { row, endpoint, docker, inventory: row.inventory ? (JSON.parse(row.inventory) as TInventory) : null, driver: undefined! };
    node.driver = new DockerDriver({
      nodeId: row.id, nodeName: row.name, docker, endpoint, owner: this.deps.owner, defaultImage: this.deps.runtimeImage,
      capacity: () => ({ ...this.allocatable(node), gpus: node.inventory?.gpus.length ?? 0 }),
      onStats: this.deps.onStats, statsIntervalMs: this.deps.statsIntervalMs, registryAuth: this.deps.registryAuth,
    });
    this.dockerNodes.set(row.id, node);
    return node;
  }

  /** Takes a node's inventory; a node that does not answer is `unreachable` and gets no new instance. */
  private async refresh(node: TDockerNode): Promise<void> {
    let status: TNodeStatus = 'ready';
    let reason = '';
    try {
      const docker = new Docker(dockerOptions(node.endpoint, node.row.tls ? (JSON.parse(node.row.tls) as TNodeTls) : undefined, ENGINE_TIMEOUT_MS));
      const info = (await docker.info()) as { ID: string; NCPU: number; MemTotal: number; ServerVersion: string; Runtimes?: Record<string, unknown> };
      const hasRuntimeImage = await docker.getImage(this.deps.runtimeImage).inspect().then(() => true, () => false);
      const gpus = await this.detectGpus(node, docker, info.Runtimes ?? {}).catch((e) => {
        reason = `GPU inventory failed: ${(e as Error).message}`;
        return [] as TGpuInfo[];
      });
      if (!hasRuntimeImage && !reason) reason = `Anvil's runtime image ${this.deps.runtimeImage} is not on this node (npm run images).`;
      node.inventory = { cpus: info.NCPU, memoryGiB: Math.floor(info.MemTotal / 1024 ** 3), gpus, engineVersion: info.ServerVersion, hasRuntimeImage, engineId: info.ID };
    } catch (e) {
      status = 'unreachable';
      reason = `The engine does not answer: ${(e as Error).message}`;
    }
    const at = now();
    const wasUnreachable = node.row.status === 'unreachable';
    this.deps.db.prepare('UPDATE nodes SET status = ?, status_reason = ?, inventory = ?, inventory_at = ? WHERE id = ?')
      .run(status, reason, node.inventory ? JSON.stringify(node.inventory) : null, at, node.row.id);
    node.row = { ...node.row, status, status_reason: reason, inventory_at: at };
    if (wasUnreachable && status === 'ready') await this.reapUnrecorded(node);
  }

  /**
   * A node that answers again may still run containers Anvil gave up on while it was away (their
   * service was deleted, or their stop timed out): whatever no instance row names is removed.
   */
  private async reapUnrecorded(node: TDockerNode): Promise<void> {
    const recorded = this.deps.db.prepare('SELECT id FROM instances WHERE node_id = ?').all(node.row.id) as { id: string }[];
    await node.driver.reapStale([], new Set(recorded.map((r) => r.id))).catch((e) => console.error(`[pools] cleaning up node ${node.row.name}:`, e));
  }

  /**
   * GPUs with nvidia-smi: on this machine for the local engine; on a remote node in a short-lived
   * container with every GPU (only where the engine has the NVIDIA runtime).
   */
  private async detectGpus(node: TDockerNode, docker: Docker, runtimes: Record<string, unknown>): Promise<TGpuInfo[]> {
    if (node.endpoint.kind === 'unix') {
      const out = await run('nvidia-smi', [...NVIDIA_SMI_QUERY_ARGS], { timeout: 10_000 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return { stdout: '' };
        throw e;
      });
      return parseNvidiaSmiCsv(out.stdout);
    }
    if (!('nvidia' in runtimes)) return [];
    const container = await docker.createContainer({
      Image: this.deps.runtimeImage, Cmd: ['nvidia-smi', ...NVIDIA_SMI_QUERY_ARGS], Labels: { 'anvil.managed': 'inventory' },
      HostConfig: { AutoRemove: false, DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] },
    });
    try {
      await container.start();
      await container.wait();
      const logs = await container.logs({ stdout: true, stderr: false });
      return parseNvidiaSmiCsv(demuxText(logs));
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  private poolRow(poolId: string): TPoolRow | undefined {
    return this.deps.db.prepare('SELECT * FROM pools WHERE id = ?').get(poolId) as TPoolRow | undefined;
  }

  private nodeRows(): TNodeRow[] {
    return this.deps.db.prepare('SELECT * FROM nodes ORDER BY created_at').all() as TNodeRow[];
  }
}

/** How many instances of `flavor` the free part of one node holds (GPUs of the flavor's type only). */
function fitsOn(node: TSchedulableNode, usage: TNodeUsage, flavor: { cpu: number; memoryGiB: number; gpu: number; gpuType?: string }): number {
  const type = flavor.gpuType?.toLowerCase();
  const gpus = usage.freeGpuIndices.filter((i) => !type || node.gpus.find((g) => g.index === i)?.name.toLowerCase().includes(type)).length;
  const per = [
    flavor.cpu > 0 ? Math.floor(usage.free.cpus / flavor.cpu + 1e-9) : Infinity,
    flavor.memoryGiB > 0 ? Math.floor(usage.free.memoryGiB / flavor.memoryGiB + 1e-9) : Infinity,
    flavor.gpu > 0 ? Math.floor(gpus / flavor.gpu) : Infinity,
  ];
  const n = Math.min(...per);
  return Number.isFinite(n) ? n : 0;
}

function requestOf(flavor: { cpu: number; memoryGiB: number; gpu: number; gpuType?: string }, count: number): TResourceRequest {
  return { cpus: flavor.cpu, memoryGiB: flavor.memoryGiB, gpus: flavor.gpu, ...(flavor.gpuType ? { gpuType: flavor.gpuType } : {}), count };
}

function endpointKey(e: TEndpoint): string {
  return e.kind === 'unix' ? `unix:${path.posix.normalize(e.socketPath)}` : `tcp:${e.host.toLowerCase()}:${e.port}`;
}

/** The text of a non-TTY container's log buffer (8-byte frame headers stripped). */
function demuxText(buffer: Buffer): string {
  let text = '';
  for (let i = 0; i + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(i + 4);
    text += buffer.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return text;
}
