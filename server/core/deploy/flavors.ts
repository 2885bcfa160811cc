/**
 * Compute specifications (guide table 3-2) as data: vCPUs, memory, and optionally a GPU count and
 * type. Whether a pool can hold one is the scheduler's answer (pools/pool-registry.ts `flavors`).
 */
import type { TFlavor } from '../../contracts/services';

export type TFlavorSpec = Omit<TFlavor, 'isAvailable' | 'unavailableReason' | 'freeInstances'>;

const CATALOG: readonly TFlavorSpec[] = [
  { id: 'cpu.1u2g', cpu: 1, memoryGiB: 2, gpu: 0 },
  { id: 'cpu.2u8g', cpu: 2, memoryGiB: 8, gpu: 0 },
  { id: 'cpu.8u32g', cpu: 8, memoryGiB: 32, gpu: 0 },
  { id: 'gpu.1x.8u32g', cpu: 8, memoryGiB: 32, gpu: 1 },
  { id: 'gpu.4x.32u128g', cpu: 32, memoryGiB: 128, gpu: 4 },
];

export function flavorCatalog(): readonly TFlavorSpec[] {
  return CATALOG;
}

/** A flavor's size from the catalog, whatever the pool: what an instance holds and is capped at. */
export function findFlavor(id: string): TFlavorSpec | undefined {
  return CATALOG.find((f) => f.id === id);
}
