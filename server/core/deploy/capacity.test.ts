import { describe, expect, it } from 'vitest';
import { findShortage, holdsResources, instancesThatFit, poolUsage, type TDemand } from './capacity';

const small = { id: 'cpu.1u2g', cpu: 1, memoryGiB: 2, gpu: 0 };
const medium = { id: 'cpu.2u8g', cpu: 2, memoryGiB: 8, gpu: 0 };
const large = { id: 'cpu.8u32g', cpu: 8, memoryGiB: 32, gpu: 0 };
const gpu = { id: 'gpu.1x.8u32g', cpu: 8, memoryGiB: 32, gpu: 1 };

const twoCores = { cpus: 2, memoryGiB: 23, gpus: 0 };
const bigNode = { cpus: 64, memoryGiB: 256, gpus: 2 };

describe('findShortage', () => {
  it('refuses 128 × cpu.8u32g on a 2-core node, naming CPUs and memory with asked vs free', () => {
    expect(findShortage(twoCores, [], { flavor: large, count: 128 })).toBe(
      'Not enough resources in the local pool: 1024 vCPUs asked (128 × cpu.8u32g), 2 of 2 free; ' +
        '4096 GiB memory asked (128 × cpu.8u32g), 23 of 23 GiB free.',
    );
  });

  it('accepts an exact fit, and refuses one more instance', () => {
    const held: TDemand[] = [{ flavor: small, count: 1 }];
    expect(findShortage(twoCores, held, { flavor: small, count: 1 })).toBeUndefined();
    expect(findShortage(twoCores, [...held, { flavor: small, count: 1 }], { flavor: small, count: 1 })).toBe(
      'Not enough resources in the local pool: 1 vCPU asked (1 × cpu.1u2g), 0 of 2 free.',
    );
  });

  it('names only the CPU when memory would fit', () => {
    const node = { cpus: 4, memoryGiB: 100, gpus: 0 };
    expect(findShortage(node, [{ flavor: medium, count: 1 }], { flavor: medium, count: 2 })).toBe(
      'Not enough resources in the local pool: 4 vCPUs asked (2 × cpu.2u8g), 2 of 4 free.',
    );
  });

  it('names only the memory when CPUs would fit', () => {
    const node = { cpus: 32, memoryGiB: 20, gpus: 0 };
    expect(findShortage(node, [{ flavor: medium, count: 2 }], { flavor: medium, count: 1 })).toBe(
      'Not enough resources in the local pool: 8 GiB memory asked (1 × cpu.2u8g), 4 of 20 GiB free.',
    );
  });

  it('names the GPU when the GPUs are taken', () => {
    expect(findShortage(bigNode, [{ flavor: gpu, count: 2 }], { flavor: gpu, count: 1 })).toBe(
      'Not enough resources in the local pool: 1 GPU asked (1 × gpu.1x.8u32g), 0 of 2 free.',
    );
    expect(findShortage(twoCores, [], { flavor: gpu, count: 1 })).toContain('1 GPU asked (1 × gpu.1x.8u32g), 0 of 0 free');
  });

  it('adds up many small services', () => {
    const held: TDemand[] = Array.from({ length: 63 }, () => ({ flavor: small, count: 1 }));
    expect(findShortage(bigNode, held, { flavor: small, count: 1 })).toBeUndefined();
    expect(findShortage(bigNode, [...held, { flavor: small, count: 1 }], { flavor: small, count: 1 })).toBe(
      'Not enough resources in the local pool: 1 vCPU asked (1 × cpu.1u2g), 0 of 64 free.',
    );
  });

  it('counts nothing for a held service whose flavor left the catalog, and refuses to deploy one', () => {
    expect(findShortage(twoCores, [{ flavor: undefined, count: 50 }], { flavor: small, count: 2 })).toBeUndefined();
    expect(findShortage(twoCores, [], { flavor: undefined, count: 1 })).toBe(
      'Not enough resources in the local pool: its compute specification no longer exists.',
    );
  });

  it('works without flavor ids', () => {
    expect(findShortage(twoCores, [], { flavor: { cpu: 4, memoryGiB: 1, gpu: 0 }, count: 1 })).toBe(
      'Not enough resources in the local pool: 4 vCPUs asked, 2 of 2 free.',
    );
  });
});

describe('poolUsage and instancesThatFit', () => {
  it('reports total, reserved and free, never below zero when the node shrank', () => {
    expect(poolUsage({ cpus: 4, memoryGiB: 16, gpus: 1 }, [{ flavor: medium, count: 1 }, { flavor: small, count: 1 }])).toEqual({
      total: { cpus: 4, memoryGiB: 16, gpus: 1 },
      reserved: { cpus: 3, memoryGiB: 10, gpus: 0 },
      free: { cpus: 1, memoryGiB: 6, gpus: 1 },
    });
    expect(poolUsage(twoCores, [{ flavor: large, count: 1 }]).free).toEqual({ cpus: 0, memoryGiB: 0, gpus: 0 });
  });

  it('tells how many instances of a flavor fit in what is free', () => {
    expect(instancesThatFit({ cpus: 2, memoryGiB: 23, gpus: 0 }, small)).toBe(2);
    expect(instancesThatFit({ cpus: 64, memoryGiB: 20, gpus: 0 }, medium)).toBe(2);
    expect(instancesThatFit({ cpus: 64, memoryGiB: 256, gpus: 0 }, gpu)).toBe(0);
    expect(instancesThatFit({ cpus: 1, memoryGiB: 1, gpus: 0 }, large)).toBe(0);
  });
});

describe('holdsResources', () => {
  it('counts deploying, running, concerning, stopping and deleting services, not stopped, failed or waiting ones', () => {
    expect(['deploying', 'running', 'concerning', 'stopping'].every(holdsResources)).toBe(true);
    expect(['stopped', 'failed', 'waiting'].some(holdsResources)).toBe(false);
    expect(holdsResources('deleting')).toBe(true);
  });
});
