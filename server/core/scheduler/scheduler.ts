/**
 * Where instances run: which node, and which of its GPUs. Pure functions over the pool's nodes and
 * what placed instances already hold. All or nothing per request, never over-committing CPUs, memory
 * or GPUs; best fit, so that large specs still find an empty node later.
 */
import { invalid } from '../errors';
import type { TPlacement } from '../runtime/runtime-driver';

export type TSchedulableNode = { id: string; name: string; isReady: boolean; cpus: number; memoryGiB: number; gpus: { index: number; name: string }[] };
/** What one placed instance holds on a node. */
export type THeldResources = { nodeId: string; cpus: number; memoryGiB: number; gpuIndices: number[] };
export type TResourceRequest = {
  cpus: number;
  memoryGiB: number;
  gpus: number;
  /** Substring of the GPU name, case-insensitive, e.g. 'A100'. Ignored when no GPU is asked for. */
  gpuType?: string;
  count: number;
};
export type TResourceAmounts = { cpus: number; memoryGiB: number; gpus: number };
export type TNodeUsage = { nodeId: string; total: TResourceAmounts; used: TResourceAmounts; free: TResourceAmounts; freeGpuIndices: number[] };
export type TScheduleResult =
  | { ok: true; placements: TPlacement[] }
  | { ok: false; availableNodes: number; totalNodes: number; insufficient: { cpu: number; memory: number; gpu: number; notReady: number }; detail: string };
type TScheduleFailure = Extract<TScheduleResult, { ok: false }>;

/** A node's free share while one request is being placed. */
type TNodeState = { node: TSchedulableNode; cpus: number; memoryGiB: number; freeGpuIndices: number[] };

// Fractional vCPUs and GiB add up with float error (0.1 + 0.2); rounding keeps exact fits exact.
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Total, held and free resources of `node`; held entries of other nodes and GPU indices it lacks are ignored. */
export function nodeUsage(node: TSchedulableNode, held: THeldResources[]): TNodeUsage {
  const own = held.filter((h) => h.nodeId === node.id);
  const heldGpus = new Set(own.flatMap((h) => h.gpuIndices));
  const indices = [...new Set(node.gpus.map((g) => g.index))].sort((a, b) => a - b);
  const freeGpuIndices = indices.filter((i) => !heldGpus.has(i));
  const total = { cpus: node.cpus, memoryGiB: node.memoryGiB, gpus: indices.length };
  const used = {
    cpus: round(own.reduce((sum, h) => sum + h.cpus, 0)),
    memoryGiB: round(own.reduce((sum, h) => sum + h.memoryGiB, 0)),
    gpus: indices.length - freeGpuIndices.length,
  };
  const free = { cpus: Math.max(0, round(total.cpus - used.cpus)), memoryGiB: Math.max(0, round(total.memoryGiB - used.memoryGiB)), gpus: freeGpuIndices.length };
  return { nodeId: node.id, total, used, free, freeGpuIndices };
}

/** Places `request.count` instances on ready nodes, best fit, or none of them with the reasons per node. */
export function schedule(nodes: TSchedulableNode[], held: THeldResources[], request: TResourceRequest): TScheduleResult {
  checkRequest(request);
  const states: TNodeState[] = nodes.map((node) => {
    const { free, freeGpuIndices } = nodeUsage(node, held);
    return { node, cpus: free.cpus, memoryGiB: free.memoryGiB, freeGpuIndices };
  });
  // Leftovers are compared in units of the pool's largest node, so CPUs and GiB weigh alike.
  const scale = { cpus: Math.max(1, ...nodes.map((n) => n.cpus)), memoryGiB: Math.max(1, ...nodes.map((n) => n.memoryGiB)) };
  const leftover = (s: TNodeState) => (s.cpus - request.cpus) / scale.cpus + (s.memoryGiB - request.memoryGiB) / scale.memoryGiB;

  const placements: TPlacement[] = [];
  for (let placed = 0; placed < request.count; placed++) {
    // Fewest free GPUs first (a 1-GPU job keeps off an empty 8-GPU node; a CPU job off GPU nodes), then least left over, then id.
    const best = states
      .filter((s) => s.node.isReady && !isShort(s, request))
      .sort((a, b) => a.freeGpuIndices.length - b.freeGpuIndices.length || leftover(a) - leftover(b) || compareIds(a.node.id, b.node.id))[0];
    // Counted where placement stopped: no node can take the next instance, so none is available for it.
    if (!best) return failure(states, request, 0, placed);
    const gpuIndices = matchingGpus(best, request).slice(0, request.gpus);
    best.cpus = round(best.cpus - request.cpus);
    best.memoryGiB = round(best.memoryGiB - request.memoryGiB);
    best.freeGpuIndices = best.freeGpuIndices.filter((i) => !gpuIndices.includes(i));
    placements.push({ nodeId: best.node.id, gpuIndices });
  }
  return { ok: true, placements };
}

/**
 * Undefined when at least one node, ready or not, could hold one instance when empty; otherwise why no
 * node ever can (the deploy wizard greys the spec out), e.g. "No node has 64 GiB memory (largest: 32 GiB)."
 */
export function whyNeverFits(nodes: TSchedulableNode[], request: Omit<TResourceRequest, 'count'>): string | undefined {
  checkRequest({ ...request, count: 1 });
  if (!nodes.length) return 'The pool has no nodes.';
  const empty = nodes.map((node) => ({ node, cpus: node.cpus, memoryGiB: node.memoryGiB, freeGpuIndices: node.gpus.map((g) => g.index) }));
  if (empty.some((s) => !isShort(s, request))) return undefined;
  const largest = (of: (s: TNodeState) => number) => Math.max(...empty.map(of));
  const cpus = largest((s) => s.cpus);
  const memoryGiB = largest((s) => s.memoryGiB);
  const gpus = largest((s) => matchingGpus(s, request).length);
  const reasons = [
    cpus < request.cpus && `No node has ${plural(request.cpus, 'vCPU')} (largest: ${plural(cpus, 'vCPU')}).`,
    memoryGiB < request.memoryGiB && `No node has ${request.memoryGiB} GiB memory (largest: ${memoryGiB} GiB).`,
    gpus < request.gpus &&
      (request.gpuType && gpus === 0 ? `No node has a GPU matching "${request.gpuType}".` : `No node has ${plural(request.gpus, gpuLabel(request))} (most: ${gpus}).`),
  ].filter((r): r is string => typeof r === 'string');
  return reasons.length ? reasons.join(' ') : `No node has ${describe(request)} together.`;
}

/**
 * The `%s` arguments of guide event S3, "… %s nodes are available: %s Insufficient memory.", in the
 * Kubernetes style: ["0/3", "1 Insufficient cpu, 2"]. Memory comes last, always, because the template ends with it.
 */
export function scheduleFailureArgs(result: TScheduleFailure): [string, string] {
  const { cpu, gpu, notReady, memory } = result.insufficient;
  const others = [cpu && `${cpu} Insufficient cpu`, gpu && `${gpu} Insufficient gpu`, notReady && `${notReady} node(s) were not ready`];
  return [`${result.availableNodes}/${result.totalNodes}`, [...others.filter(Boolean), String(memory)].join(', ')];
}

/**
 * Counts, per node, what stopped instance number `placed` (0-based): for a request that cannot place
 * even one, what each node lacks now; for one that placed some, what each lacks after those.
 */
function failure(states: TNodeState[], request: TResourceRequest, availableNodes: number, placed: number): TScheduleFailure {
  const insufficient = { cpu: 0, memory: 0, gpu: 0, notReady: 0 };
  for (const s of states) {
    if (!s.node.isReady) {
      insufficient.notReady++;
      continue;
    }
    const short = shortOf(s, request);
    insufficient.cpu += Number(short.cpu);
    insufficient.memory += Number(short.memory);
    insufficient.gpu += Number(short.gpu);
  }
  const base = { ok: false as const, availableNodes, totalNodes: states.length, insufficient };
  if (!states.length) return { ...base, detail: 'The pool has no nodes.' };
  const what = describe(request);
  const lead = placed === 0 ? `No node can take an instance${what ? ` of ${what}` : ''}` : `Only ${placed} of ${request.count} instances${what ? ` of ${what}` : ''} fit`;
  const reasons = [
    insufficient.cpu && `${nodeCount(insufficient.cpu)} short of CPUs`,
    insufficient.memory && `${nodeCount(insufficient.memory)} short of memory`,
    insufficient.gpu && `${nodeCount(insufficient.gpu)} short of ${gpuLabel(request)}s`,
    insufficient.notReady && `${nodeCount(insufficient.notReady)} not ready`,
  ].filter(Boolean);
  return { ...base, detail: `${lead}: ${reasons.join(', ')}.` };
}

function shortOf(s: TNodeState, request: Omit<TResourceRequest, 'count'>) {
  return { cpu: s.cpus < request.cpus, memory: s.memoryGiB < request.memoryGiB, gpu: matchingGpus(s, request).length < request.gpus };
}

function isShort(s: TNodeState, request: Omit<TResourceRequest, 'count'>): boolean {
  const short = shortOf(s, request);
  return short.cpu || short.memory || short.gpu;
}

/** Free GPU indices of the asked type, lowest first. */
function matchingGpus(s: TNodeState, request: Omit<TResourceRequest, 'count'>): number[] {
  const type = request.gpuType?.trim().toLowerCase();
  const isMatch = (index: number) => !type || s.node.gpus.some((g) => g.index === index && g.name.toLowerCase().includes(type));
  return s.freeGpuIndices.filter(isMatch);
}

function checkRequest(request: TResourceRequest): void {
  if (!(request.cpus >= 0)) throw invalid('cpus', 'The vCPUs asked for must be zero or more.');
  if (!(request.memoryGiB >= 0)) throw invalid('memoryGiB', 'The memory asked for must be zero or more.');
  if (!Number.isInteger(request.gpus) || request.gpus < 0) throw invalid('gpus', 'The GPUs asked for must be a whole number, zero or more.');
  if (!Number.isInteger(request.count) || request.count < 0) throw invalid('count', 'The instance count must be a whole number, zero or more.');
}

/** "8 vCPUs, 64 GiB memory and 1 A100 GPU"; empty when nothing is asked for. */
function describe(request: Omit<TResourceRequest, 'count'>): string {
  const parts = [
    request.cpus > 0 && plural(request.cpus, 'vCPU'),
    request.memoryGiB > 0 && `${request.memoryGiB} GiB memory`,
    request.gpus > 0 && plural(request.gpus, gpuLabel(request)),
  ].filter((p): p is string => typeof p === 'string');
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
}

const gpuLabel = (request: Omit<TResourceRequest, 'count'>) => (request.gpuType?.trim() ? `${request.gpuType.trim()} GPU` : 'GPU');
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
const nodeCount = (n: number) => plural(n, 'node');
// Code-unit order, not localeCompare: placements must not depend on the server's locale.
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
