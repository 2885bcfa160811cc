import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import type { RuntimeDriver } from '../runtime/runtime-driver';
import { PoolRegistry } from './pool-registry';

/** The local pool only (no engine): the catalog against its one node, with what placed instances hold. */
function localPool(node: { cpus: number; memoryGiB: number; gpus: number }) {
  const db = openDatabase(':memory:');
  const processDriver = { capacity: () => node, isolation: () => ({ confined: true, user: 'nobody', note: '' }) } as unknown as RuntimeDriver;
  const pools = new PoolRegistry({ db, processDriver, processCapacity: () => node, owner: 'test', runtimeImage: 'anvil/runtime-python3:x', autoDetectDocker: false });
  const hold = (flavor: string, count: number) => {
    db.prepare(`INSERT OR IGNORE INTO domains (id, name, created_at) VALUES ('d', 'd', 0)`).run();
    db.prepare(`INSERT OR IGNORE INTO projects (id, domain_id, name, created_at) VALUES ('p', 'd', 'p', 0)`).run();
    const appId = `app-${flavor}-${count}`;
    db.prepare(`INSERT INTO apps (id, project_id, name, version, status, deploy_types, source_type, source_uri, created_at) VALUES (?, 'p', ?, '0.0.1', 'normal', '[]', 'obs', 'x', 0)`).run(appId, appId);
    const serviceId = `svc-${flavor}-${count}`;
    db.prepare(
      `INSERT INTO services (id, project_id, name, status, desired_state, app_id, traffic_weight, pool, flavor, instance_count, envs, deploy_timeout_min, auto_stop_enabled, auto_stop_hours, created_at, updated_at)
       VALUES (?, 'p', ?, 'running', 'running', ?, 100, 'local', ?, ?, '[]', 20, 0, 1, 0, 0)`,
    ).run(serviceId, serviceId, appId, flavor, count);
    for (let i = 0; i < count; i++) {
      db.prepare(`INSERT INTO instances (id, service_id, status, node_id, created_at) VALUES (?, ?, 'ready', 'local', 0)`).run(`${serviceId}-${i}`, serviceId);
    }
  };
  return { pools, hold };
}

describe('PoolRegistry.flavors on the local pool', () => {
  it('greys out only the flavors no node can ever hold, with the reason', () => {
    const { pools } = localPool({ cpus: 2, memoryGiB: 23, gpus: 0 });
    const flavors = pools.flavors('local');
    expect(flavors.filter((f) => f.isAvailable).map((f) => f.id)).toEqual(['cpu.1u2g', 'cpu.2u8g']);
    expect(flavors.find((f) => f.id === 'cpu.8u32g')?.unavailableReason).toBe('No node has 8 vCPUs (largest: 2 vCPUs). No node has 32 GiB memory (largest: 23 GiB).');
    expect(flavors.find((f) => f.id === 'gpu.1x.8u32g')?.unavailableReason).toContain('GPU');
  });

  it('tells the wizard how many instances of each flavor fit next to what placed instances hold', () => {
    const { pools, hold } = localPool({ cpus: 16, memoryGiB: 64, gpus: 1 });
    hold('cpu.8u32g', 1);
    hold('cpu.2u8g', 2);
    // Held: 12 vCPUs, 48 GiB. Free: 4 vCPUs, 16 GiB, 1 GPU.
    expect(Object.fromEntries(pools.flavors('local').map((f) => [f.id, f.freeInstances]))).toEqual({
      'cpu.1u2g': 4, 'cpu.2u8g': 2, 'cpu.8u32g': 0, 'gpu.1x.8u32g': 0, 'gpu.4x.32u128g': 0,
    });
    expect(pools.place('local', 'cpu.2u8g', 3)).toMatchObject({ ok: false, availableNodes: 0, totalNodes: 1 });
    expect(pools.place('local', 'cpu.2u8g', 2)).toEqual({ ok: true, placements: [{ nodeId: 'local', gpuIndices: [] }, { nodeId: 'local', gpuIndices: [] }] });
  });
});
