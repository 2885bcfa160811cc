import { describe, expect, it } from 'vitest';
import { GUIDE_EVENT_MESSAGES } from '../../contracts/guide-event-messages';
import { CoreError } from '../errors';
import type { TPlacement } from '../runtime/runtime-driver';
import cpuPool from './fixtures/cpu-pool-3-nodes.json';
import laptop from './fixtures/laptop.json';
import mixedPool from './fixtures/mixed-a100-t4-pool.json';
import { nodeUsage, schedule, scheduleFailureArgs, whyNeverFits, type THeldResources, type TResourceRequest, type TScheduleResult, type TSchedulableNode } from './scheduler';

/** A fresh copy of a recorded inventory (tests flip readiness). */
const load = (fixture: { nodes: TSchedulableNode[] }): TSchedulableNode[] => structuredClone(fixture.nodes);
/** What the placed instances of `request` hold once running. */
const holding = (placements: TPlacement[], request: TResourceRequest): THeldResources[] =>
  placements.map((p) => ({ nodeId: p.nodeId, cpus: request.cpus, memoryGiB: request.memoryGiB, gpuIndices: p.gpuIndices }));
const placed = (result: TScheduleResult) => {
  if (!result.ok) throw new Error(`expected placements, got: ${result.detail}`);
  return result.placements;
};
const failed = (result: TScheduleResult) => {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.placements)}`);
  return result;
};
const on = (...nodeIds: string[]) => nodeIds.map((nodeId) => ({ nodeId, gpuIndices: [] }));
const s3 = (args: [string, string]) => args.reduce((text, arg) => text.replace('%s', arg), GUIDE_EVENT_MESSAGES.S3.en);

describe('nodeUsage', () => {
  it('adds up what is held on the node only, and frees the GPUs nobody holds', () => {
    const [dgx1] = load(mixedPool);
    const held = [
      { nodeId: 'dgx-1', cpus: 8, memoryGiB: 32, gpuIndices: [0] },
      { nodeId: 'dgx-1', cpus: 16.5, memoryGiB: 64, gpuIndices: [2, 3] },
      { nodeId: 'dgx-2', cpus: 100, memoryGiB: 100, gpuIndices: [1] },
      { nodeId: 'dgx-1', cpus: 0, memoryGiB: 0, gpuIndices: [9] }, // a GPU the node no longer has
    ];
    expect(nodeUsage(dgx1, held)).toEqual({
      nodeId: 'dgx-1',
      total: { cpus: 256, memoryGiB: 2015, gpus: 8 },
      used: { cpus: 24.5, memoryGiB: 96, gpus: 3 },
      free: { cpus: 231.5, memoryGiB: 1919, gpus: 5 },
      freeGpuIndices: [1, 4, 5, 6, 7],
    });
  });
});

describe('schedule: bin-packing', () => {
  it('picks the node an instance fills best, not the first or the emptiest', () => {
    const held = [{ nodeId: 'node-c', cpus: 28, memoryGiB: 110, gpuIndices: [] }];
    expect(placed(schedule(load(cpuPool), held, { cpus: 4, memoryGiB: 15, gpus: 0, count: 1 }))).toEqual(on('node-c'));
  });

  it('fills the small node first so the large one stays whole for a large spec', () => {
    const small = { cpus: 2, memoryGiB: 8, gpus: 0, count: 4 };
    const first = placed(schedule(load(cpuPool), [], small));
    expect(first).toEqual(on('node-a', 'node-a', 'node-a', 'node-b'));
    expect(placed(schedule(load(cpuPool), holding(first, small), { cpus: 32, memoryGiB: 125, gpus: 0, count: 1 }))).toEqual(on('node-c'));
  });

  it('breaks ties by node id, whatever the order of the inventory', () => {
    const reversed = load(mixedPool).reverse();
    expect(placed(schedule(reversed, [], { cpus: 8, memoryGiB: 32, gpus: 1, gpuType: 'A100', count: 1 }))).toEqual([{ nodeId: 'dgx-1', gpuIndices: [0] }]);
  });

  it('places all instances or none, and leaves its inputs alone', () => {
    const nodes = load(cpuPool);
    const held: THeldResources[] = [];
    const request = { cpus: 16, memoryGiB: 62, gpus: 0, count: 3 };
    expect(placed(schedule(nodes, held, request))).toEqual(on('node-b', 'node-c', 'node-c'));
    const tooMany = failed(schedule(nodes, held, { ...request, count: 4 }));
    expect(tooMany).toEqual({
      ok: false,
      availableNodes: 0,
      totalNodes: 3,
      insufficient: { cpu: 3, memory: 3, gpu: 0, notReady: 0 },
      detail: 'Only 3 of 4 instances of 16 vCPUs and 62 GiB memory fit: 3 nodes short of CPUs, 3 nodes short of memory.',
    });
    // Counted where placement stopped (after three were placed), as Kubernetes counts for one pod.
    expect(scheduleFailureArgs(tooMany)).toEqual(['0/3', '3 Insufficient cpu, 3']);
    expect(nodes).toEqual(cpuPool.nodes);
    expect(held).toEqual([]);
  });

  it('answers an empty placement list for zero instances', () => {
    expect(schedule(load(laptop), [], { cpus: 1, memoryGiB: 1, gpus: 0, count: 0 })).toEqual({ ok: true, placements: [] });
  });
});

describe('schedule: GPUs', () => {
  const oneGpu = { cpus: 8, memoryGiB: 32, gpus: 1, count: 8 };

  it('puts 1-GPU instances where the fewest GPUs are free, taking the lowest indices, and keeps an 8-GPU node whole', () => {
    const eight = placed(schedule(load(mixedPool), [], oneGpu));
    expect(eight).toEqual([
      { nodeId: 't4-1', gpuIndices: [0] },
      { nodeId: 't4-1', gpuIndices: [1] },
      { nodeId: 't4-1', gpuIndices: [2] },
      { nodeId: 't4-1', gpuIndices: [3] },
      { nodeId: 'dgx-1', gpuIndices: [0] },
      { nodeId: 'dgx-1', gpuIndices: [1] },
      { nodeId: 'dgx-1', gpuIndices: [2] },
      { nodeId: 'dgx-1', gpuIndices: [3] },
    ]);
    const held = holding(eight, oneGpu);
    const four = { cpus: 8, memoryGiB: 64, gpus: 4, count: 1 };
    const fourPlaced = placed(schedule(load(mixedPool), held, four));
    expect(fourPlaced).toEqual([{ nodeId: 'dgx-1', gpuIndices: [4, 5, 6, 7] }]);
    const whole = { cpus: 8, memoryGiB: 64, gpus: 8, count: 1 };
    expect(placed(schedule(load(mixedPool), [...held, ...holding(fourPlaced, four)], whole))).toEqual([{ nodeId: 'dgx-2', gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7] }]);
  });

  it('fills one A100 node with eight 1-GPU instances before touching the other', () => {
    const a100 = { ...oneGpu, gpuType: 'A100' };
    const eight = placed(schedule(load(mixedPool), [], a100));
    expect(eight).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ nodeId: 'dgx-1', gpuIndices: [i] })));
    const four = { ...a100, gpus: 4, count: 1 };
    expect(placed(schedule(load(mixedPool), holding(eight, a100), four))).toEqual([{ nodeId: 'dgx-2', gpuIndices: [0, 1, 2, 3] }]);
  });

  it('prefers the node with fewer free GPUs even when another has less CPU and memory left', () => {
    const held = [
      { nodeId: 'dgx-1', cpus: 240, memoryGiB: 1950, gpuIndices: [] },
      { nodeId: 'dgx-2', cpus: 32, memoryGiB: 128, gpuIndices: [0, 1, 2, 3] },
      { nodeId: 't4-1', cpus: 32, memoryGiB: 128, gpuIndices: [0, 1, 2, 3] },
    ];
    expect(placed(schedule(load(mixedPool), held, { ...oneGpu, count: 1 }))).toEqual([{ nodeId: 'dgx-2', gpuIndices: [4] }]);
  });

  it('filters GPUs by a case-insensitive part of their name', () => {
    expect(placed(schedule(load(mixedPool), [], { ...oneGpu, gpuType: 'a100', count: 1 }))).toEqual([{ nodeId: 'dgx-1', gpuIndices: [0] }]);
    expect(placed(schedule(load(mixedPool), [], { ...oneGpu, gpus: 4, gpuType: 'T4', count: 1 }))).toEqual([{ nodeId: 't4-1', gpuIndices: [0, 1, 2, 3] }]);
    const five = failed(schedule(load(mixedPool), [], { ...oneGpu, gpus: 5, gpuType: 'T4', count: 1 }));
    expect(five.insufficient).toEqual({ cpu: 0, memory: 0, gpu: 4, notReady: 0 });
    expect(five.detail).toBe('No node can take an instance of 8 vCPUs, 32 GiB memory and 5 T4 GPUs: 4 nodes short of T4 GPUs.');
  });

  it('runs a CPU-only instance off the GPU nodes while it can, and then holds no GPU there', () => {
    const big = { cpus: 48, memoryGiB: 128, gpus: 0, count: 3 };
    const three = placed(schedule(load(mixedPool), [], big));
    expect(three).toEqual(on('cpu-1', 't4-1', 'dgx-1'));
    const t4 = nodeUsage(load(mixedPool)[2], holding(three, big));
    expect(t4).toMatchObject({ used: { cpus: 48, memoryGiB: 128, gpus: 0 }, freeGpuIndices: [0, 1, 2, 3] });
  });
});

describe('schedule: boundaries and nodes that come and go', () => {
  const whole = { cpus: 16, memoryGiB: 31, gpus: 1, count: 1 };

  it('fits an instance exactly the size of the laptop, and nothing a little bigger', () => {
    expect(placed(schedule(load(laptop), [], whole))).toEqual([{ nodeId: 'local', gpuIndices: [0] }]);
    expect(failed(schedule(load(laptop), [], { ...whole, cpus: 16.5 })).insufficient).toEqual({ cpu: 1, memory: 0, gpu: 0, notReady: 0 });
    expect(failed(schedule(load(laptop), [], { ...whole, memoryGiB: 31.5 })).insufficient).toEqual({ cpu: 0, memory: 1, gpu: 0, notReady: 0 });
    expect(failed(schedule(load(laptop), [], { ...whole, gpus: 2 })).insufficient).toEqual({ cpu: 0, memory: 0, gpu: 1, notReady: 0 });
  });

  it('keeps an exact fit exact when fractional vCPUs add up (16 - (5.1 + 4.7) is 6.199999999999999 in floats)', () => {
    const held = [
      { nodeId: 'local', cpus: 5.1, memoryGiB: 0, gpuIndices: [] },
      { nodeId: 'local', cpus: 4.7, memoryGiB: 0, gpuIndices: [] },
    ];
    expect(nodeUsage(load(laptop)[0], held).free.cpus).toBe(6.2);
    expect(placed(schedule(load(laptop), held, { cpus: 6.2, memoryGiB: 1, gpus: 0, count: 1 }))).toEqual(on('local'));
    expect(placed(schedule(load(laptop), held, { cpus: 3.1, memoryGiB: 1, gpus: 0, count: 2 }))).toEqual(on('local', 'local'));
    expect(schedule(load(laptop), held, { cpus: 6.3, memoryGiB: 1, gpus: 0, count: 1 }).ok).toBe(false);
  });

  it('refuses a second GPU instance on the laptop, naming the GPU', () => {
    const result = failed(schedule(load(laptop), [], { cpus: 4, memoryGiB: 8, gpus: 1, count: 2 }));
    expect(result).toMatchObject({ availableNodes: 0, totalNodes: 1, insufficient: { cpu: 0, memory: 0, gpu: 1, notReady: 0 } });
    expect(result.detail).toBe('Only 1 of 2 instances of 4 vCPUs, 8 GiB memory and 1 GPU fit: 1 node short of GPUs.');
    expect(scheduleFailureArgs(result)).toEqual(['0/1', '1 Insufficient gpu, 0']);
  });

  it('stops using a node that is no longer ready between two schedules', () => {
    const nodes = load(cpuPool);
    const request = { cpus: 8, memoryGiB: 31, gpus: 0, count: 2 };
    const first = placed(schedule(nodes, [], request));
    expect(first).toEqual(on('node-a', 'node-b'));
    nodes[1].isReady = false;
    const held = holding(first, request);
    expect(placed(schedule(nodes, held, { ...request, count: 1 }))).toEqual(on('node-c'));
    const five = failed(schedule(nodes, held, { ...request, count: 5 }));
    expect(five).toMatchObject({ availableNodes: 0, totalNodes: 3, insufficient: { cpu: 2, memory: 2, gpu: 0, notReady: 1 } });
    expect(five.detail).toBe('Only 4 of 5 instances of 8 vCPUs and 31 GiB memory fit: 2 nodes short of CPUs, 2 nodes short of memory, 1 node not ready.');
    expect(scheduleFailureArgs(five)).toEqual(['0/3', '2 Insufficient cpu, 1 node(s) were not ready, 2']);
  });

  it('ignores what is held on a node that was removed', () => {
    const onA = { nodeId: 'node-a', cpus: 8, memoryGiB: 31, gpuIndices: [] };
    const gone = { nodeId: 'node-gone', cpus: 999, memoryGiB: 999, gpuIndices: [0] };
    const request = { cpus: 8, memoryGiB: 31, gpus: 0, count: 5 };
    expect(schedule(load(cpuPool), [onA, gone], request)).toEqual(schedule(load(cpuPool), [onA], request));
    expect(placed(schedule(load(cpuPool), [onA, gone], request))).toEqual(on('node-b', 'node-b', 'node-c', 'node-c', 'node-c'));
    expect(nodeUsage(load(cpuPool)[1], [onA, gone]).used).toEqual({ cpus: 0, memoryGiB: 0, gpus: 0 });
  });

  it('refuses a request it cannot read', () => {
    expect(() => schedule(load(laptop), [], { cpus: 1, memoryGiB: 1, gpus: 0, count: 1.5 })).toThrow(CoreError);
    expect(() => schedule(load(laptop), [], { cpus: 1, memoryGiB: 1, gpus: -1, count: 1 })).toThrow('The GPUs asked for must be a whole number, zero or more.');
  });
});

describe('scheduleFailureArgs', () => {
  it('fills guide event S3 the Kubernetes way, memory last', () => {
    const held = [
      { nodeId: 'node-b', cpus: 0, memoryGiB: 40, gpuIndices: [] },
      { nodeId: 'node-c', cpus: 0, memoryGiB: 100, gpuIndices: [] },
    ];
    const result = failed(schedule(load(cpuPool), held, { cpus: 12, memoryGiB: 30, gpus: 0, count: 1 }));
    expect(result.detail).toBe('No node can take an instance of 12 vCPUs and 30 GiB memory: 1 node short of CPUs, 2 nodes short of memory.');
    expect(scheduleFailureArgs(result)).toEqual(['0/3', '1 Insufficient cpu, 2']);
    expect(s3(scheduleFailureArgs(result))).toBe(
      'Schedule failed due to insufficient resources. Retry later. 0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.',
    );
  });

  it('counts GPUs and nodes that are not ready, with memory at 0 when it is not short', () => {
    const nodes = load(mixedPool);
    nodes[1].isReady = false;
    const held = [{ nodeId: 'dgx-1', cpus: 64, memoryGiB: 256, gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7] }];
    const result = failed(schedule(nodes, held, { cpus: 8, memoryGiB: 32, gpus: 1, gpuType: 'A100', count: 1 }));
    expect(result.detail).toBe('No node can take an instance of 8 vCPUs, 32 GiB memory and 1 A100 GPU: 3 nodes short of A100 GPUs, 1 node not ready.');
    expect(s3(scheduleFailureArgs(result))).toBe(
      'Schedule failed due to insufficient resources. Retry later. 0/4 nodes are available: 3 Insufficient gpu, 1 node(s) were not ready, 0 Insufficient memory.',
    );
  });

  it('reads sensibly for an empty pool', () => {
    const result = failed(schedule([], [], { cpus: 1, memoryGiB: 1, gpus: 0, count: 1 }));
    expect(result.detail).toBe('The pool has no nodes.');
    expect(scheduleFailureArgs(result)).toEqual(['0/0', '0']);
  });
});

describe('whyNeverFits', () => {
  it('says nothing when an empty node could hold one instance, even a busy or unready one', () => {
    const nodes = load(cpuPool);
    nodes[2].isReady = false;
    expect(whyNeverFits(nodes, { cpus: 32, memoryGiB: 125, gpus: 0 })).toBeUndefined();
    expect(whyNeverFits(load(laptop), { cpus: 16, memoryGiB: 31, gpus: 1, gpuType: 'rtx 4060' })).toBeUndefined();
  });

  it('names each resource no node has enough of, with the largest there is', () => {
    expect(whyNeverFits(load(cpuPool), { cpus: 4, memoryGiB: 128, gpus: 0 })).toBe('No node has 128 GiB memory (largest: 125 GiB).');
    expect(whyNeverFits(load(cpuPool), { cpus: 48, memoryGiB: 200, gpus: 1 })).toBe(
      'No node has 48 vCPUs (largest: 32 vCPUs). No node has 200 GiB memory (largest: 125 GiB). No node has 1 GPU (most: 0).',
    );
    expect(whyNeverFits(load(laptop), { cpus: 1, memoryGiB: 1, gpus: 2 })).toBe('No node has 2 GPUs (most: 1).');
    expect(whyNeverFits(load(mixedPool), { cpus: 8, memoryGiB: 32, gpus: 5, gpuType: 'T4' })).toBe('No node has 5 T4 GPUs (most: 4).');
    expect(whyNeverFits(load(mixedPool), { cpus: 8, memoryGiB: 32, gpus: 1, gpuType: 'H100' })).toBe('No node has a GPU matching "H100".');
  });

  it('says when each resource exists but never on one node', () => {
    expect(whyNeverFits(load(mixedPool), { cpus: 100, memoryGiB: 32, gpus: 1, gpuType: 'T4' })).toBe('No node has 100 vCPUs, 32 GiB memory and 1 T4 GPU together.');
  });

  it('says so for an empty pool', () => {
    expect(whyNeverFits([], { cpus: 1, memoryGiB: 1, gpus: 0 })).toBe('The pool has no nodes.');
  });
});
