/** Compute specifications of the local resource pool (guide table 3-2); specs the node cannot hold are greyed. */
import type { TFlavor } from '../../contracts/services';
import type { TNodeCapacity } from '../runtime/runtime-driver';
import { instancesThatFit } from './capacity';

const CATALOG: Omit<TFlavor, 'isAvailable' | 'unavailableReason'>[] = [
  { id: 'cpu.1u2g', cpu: 1, memoryGiB: 2, gpu: 0 },
  { id: 'cpu.2u8g', cpu: 2, memoryGiB: 8, gpu: 0 },
  { id: 'cpu.8u32g', cpu: 8, memoryGiB: 32, gpu: 0 },
  { id: 'gpu.1x.8u32g', cpu: 8, memoryGiB: 32, gpu: 1 },
];

/** A flavor's size from the catalog, whatever the node: what a service reserves and what an instance is capped at. */
export function findFlavor(id: string): (typeof CATALOG)[number] | undefined {
  return CATALOG.find((f) => f.id === id);
}

/**
 * The catalog with each flavor marked available or not on a node of `capacity` (unavailable only
 * when it can never fit); with `free` (see capacity.ts `poolUsage`), how many instances fit now.
 */
export function listFlavors(capacity: TNodeCapacity, free?: TNodeCapacity): TFlavor[] {
  return CATALOG.map((f) => {
    const short = [
      f.cpu > capacity.cpus && `${f.cpu} vCPUs needed, the node has ${capacity.cpus}`,
      f.memoryGiB > capacity.memoryGiB && `${f.memoryGiB} GiB memory needed, the node has ${capacity.memoryGiB} GiB`,
      f.gpu > capacity.gpus && `${f.gpu} GPU needed, the node has ${capacity.gpus}`,
    ].filter(Boolean) as string[];
    return {
      ...f,
      isAvailable: short.length === 0,
      ...(short.length ? { unavailableReason: short.join('; ') } : {}),
      ...(free ? { freeInstances: instancesThatFit(free, f) } : {}),
    };
  });
}
