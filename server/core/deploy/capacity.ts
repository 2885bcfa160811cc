/**
 * The local pool's arithmetic: a node's cores, memory and GPUs, what the services holding resources
 * reserve (flavor × instance count), what is free, and whether one more deploy fits — with the
 * resource that is short, free vs asked, when it does not. Pure: callers read the rows and the node.
 */
import type { TFlavor, TServiceStatus } from '../../contracts/services';
import type { TNodeCapacity } from '../runtime/runtime-driver';

/** Statuses in which a service holds its instances' resources (a stopping or deleting one still runs until drained). */
export const HOLDING_STATUSES = ['deploying', 'running', 'concerning', 'stopping', 'deleting'] as const satisfies readonly TServiceStatus[];

export type TFlavorSize = Pick<TFlavor, 'cpu' | 'memoryGiB' | 'gpu'> & { id?: string };
/** `flavor` undefined: a flavor that no longer exists in the catalog (it reserves nothing; asking for it never fits). */
export type TDemand = { flavor: TFlavorSize | undefined; count: number };
export type TPoolUsage = { total: TNodeCapacity; reserved: TNodeCapacity; free: TNodeCapacity };

/** True when a service in `status` counts against the pool. */
export function holdsResources(status: string): boolean {
  return (HOLDING_STATUSES as readonly string[]).includes(status);
}

/** Total, reserved and free capacity of `node` with `held` deployed (free never below zero). */
export function poolUsage(node: TNodeCapacity, held: TDemand[]): TPoolUsage {
  const reserved = { cpus: 0, memoryGiB: 0, gpus: 0 };
  for (const { flavor, count } of held) {
    if (!flavor) continue;
    reserved.cpus += flavor.cpu * count;
    reserved.memoryGiB += flavor.memoryGiB * count;
    reserved.gpus += flavor.gpu * count;
  }
  const free = {
    cpus: Math.max(0, node.cpus - reserved.cpus),
    memoryGiB: Math.max(0, node.memoryGiB - reserved.memoryGiB),
    gpus: Math.max(0, node.gpus - reserved.gpus),
  };
  return { total: { ...node }, reserved, free };
}

/** How many instances of `flavor` fit in `free` now. */
export function instancesThatFit(free: TNodeCapacity, flavor: TFlavorSize): number {
  const per = [
    flavor.cpu > 0 ? Math.floor(free.cpus / flavor.cpu) : Infinity,
    flavor.memoryGiB > 0 ? Math.floor(free.memoryGiB / flavor.memoryGiB) : Infinity,
    flavor.gpu > 0 ? Math.floor(free.gpus / flavor.gpu) : Infinity,
  ];
  const n = Math.min(...per);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/**
 * Undefined when `wanted` fits on `node` beside `held`; otherwise a sentence naming each short
 * resource with what is asked and what is free, e.g.
 * "Not enough resources in the local pool: 1024 vCPUs asked (128 × cpu.8u32g), 2 of 2 free."
 */
export function findShortage(node: TNodeCapacity, held: TDemand[], wanted: TDemand): string | undefined {
  if (!wanted.flavor) return 'Not enough resources in the local pool: its compute specification no longer exists.';
  const { free } = poolUsage(node, held);
  const { flavor, count } = wanted;
  const times = flavor.id ? ` (${count} × ${flavor.id})` : '';
  const asked = { cpus: flavor.cpu * count, memoryGiB: flavor.memoryGiB * count, gpus: flavor.gpu * count };
  const short = [
    asked.cpus > free.cpus && `${plural(asked.cpus, 'vCPU')} asked${times}, ${free.cpus} of ${node.cpus} free`,
    asked.memoryGiB > free.memoryGiB && `${asked.memoryGiB} GiB memory asked${times}, ${free.memoryGiB} of ${node.memoryGiB} GiB free`,
    asked.gpus > free.gpus && `${plural(asked.gpus, 'GPU')} asked${times}, ${free.gpus} of ${node.gpus} free`,
  ].filter((s): s is string => typeof s === 'string');
  return short.length ? `Not enough resources in the local pool: ${short.join('; ')}.` : undefined;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
