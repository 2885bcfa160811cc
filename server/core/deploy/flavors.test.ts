import { describe, expect, it } from 'vitest';
import { listFlavors } from './flavors';

describe('listFlavors', () => {
  it('greys out only the flavors that can never fit the node', () => {
    const flavors = listFlavors({ cpus: 2, memoryGiB: 23, gpus: 0 });
    expect(flavors.filter((f) => f.isAvailable).map((f) => f.id)).toEqual(['cpu.1u2g', 'cpu.2u8g']);
    expect(flavors.find((f) => f.id === 'cpu.8u32g')?.unavailableReason).toBe('8 vCPUs needed, the node has 2; 32 GiB memory needed, the node has 23 GiB');
  });

  it('tells the deploy form how many instances of each flavor fit in the free capacity', () => {
    const flavors = listFlavors({ cpus: 16, memoryGiB: 64, gpus: 1 }, { cpus: 3, memoryGiB: 40, gpus: 1 });
    expect(Object.fromEntries(flavors.map((f) => [f.id, f.freeInstances]))).toEqual({
      'cpu.1u2g': 3, 'cpu.2u8g': 1, 'cpu.8u32g': 0, 'gpu.1x.8u32g': 0,
    });
    expect(listFlavors({ cpus: 2, memoryGiB: 23, gpus: 0 })[0].freeInstances).toBeUndefined();
  });
});
