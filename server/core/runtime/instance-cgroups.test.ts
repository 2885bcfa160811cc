import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openInstanceCgroups } from './instance-cgroups';

// A fake /sys/fs/cgroup: plain folders and files stand in for the kernel's (which vanish on rmdir).
let mount: string;
const touch = (file: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
};
const read = (...parts: string[]) => fs.readFileSync(path.join(mount, ...parts), 'utf8');
afterEach(() => fs.rmSync(mount, { recursive: true, force: true }));

describe('openInstanceCgroups', () => {
  it('uses the v1 memory and cpu hierarchies under Anvil\'s own groups', () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-v1-'));
    touch(path.join(mount, 'memory', 'memory.limit_in_bytes'));
    touch(path.join(mount, 'cpu', 'cpu.cfs_quota_us'));
    const cgroups = openInstanceCgroups('anvil-x', mount, '4:memory:/svc\n2:cpu,cpuacct:/\n0::/\n')!;
    const group = cgroups.create('inst-1', { memoryBytes: 2 * 1024 ** 3, cpus: 2 });
    expect(read('memory', 'svc', 'anvil-x', 'inst-1', 'memory.limit_in_bytes')).toBe(String(2 * 1024 ** 3));
    expect(read('cpu', 'anvil-x', 'inst-1', 'cpu.cfs_quota_us')).toBe('200000');
    expect(read('cpu', 'anvil-x', 'inst-1', 'cpu.cfs_period_us')).toBe('100000');
    cgroups.add(group, 4242);
    expect(read('memory', 'svc', 'anvil-x', 'inst-1', 'cgroup.procs')).toBe('4242');
    expect(read('cpu', 'anvil-x', 'inst-1', 'cgroup.procs')).toBe('4242');
    expect(cgroups.pids(group)).toEqual([4242]);
  });

  it('uses v2 with memory.max and cpu.max once it can delegate the controllers', () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-v2-'));
    touch(path.join(mount, 'cgroup.controllers'));
    const cgroups = openInstanceCgroups('anvil-x', mount, '0::/system.slice/anvil.service\n')!;
    expect(read('system.slice', 'anvil.service', 'anvil-x', 'cgroup.subtree_control')).toBe('+cpu'); // '+memory', then '+cpu'
    cgroups.create('inst-1', { memoryBytes: 8 * 1024 ** 3, cpus: 2 });
    expect(read('system.slice', 'anvil.service', 'anvil-x', 'inst-1', 'memory.max')).toBe(String(8 * 1024 ** 3));
    expect(read('system.slice', 'anvil.service', 'anvil-x', 'inst-1', 'cpu.max')).toBe('200000 100000');
  });

  it('reads an out-of-memory kill from the group', () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-oom-'));
    touch(path.join(mount, 'memory', 'memory.limit_in_bytes'));
    const cgroups = openInstanceCgroups('anvil-x', mount, '4:memory:/\n')!;
    const group = cgroups.create('inst-1', { memoryBytes: 1024, cpus: 1 });
    fs.writeFileSync(path.join(mount, 'memory', 'anvil-x', 'inst-1', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
    expect(cgroups.wasOomKilled(group)).toBe(false);
    fs.writeFileSync(path.join(mount, 'memory', 'anvil-x', 'inst-1', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    expect(cgroups.wasOomKilled(group)).toBe(true);
  });

  it('gives up (null) where there is no cgroup file system or Anvil may not write it', () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-none-'));
    expect(openInstanceCgroups('anvil-x', mount, '')).toBeNull();
    expect(openInstanceCgroups('anvil-x', path.join(mount, 'missing'), '0::/\n')).toBeNull();
  });
});
