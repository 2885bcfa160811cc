/**
 * Memory and CPU caps of instances through cgroups, where this host lets Anvil create them (cgroup
 * v1 `memory`/`cpu` hierarchies, or v2 with the controllers delegated). Unlike RLIMIT_AS, a cgroup
 * also counts the processes a model forks. Every group is removed when its instance ends.
 */
import fs from 'node:fs';
import path from 'node:path';

type TLayout = { version: 1; memory: string; cpu?: string } | { version: 2; root: string };

const CPU_PERIOD_US = 100_000;

/** Finds where Anvil's own cgroups live and creates `<them>/<groupName>`; null when cgroups are not usable here. */
export function openInstanceCgroups(groupName: string, mount = '/sys/fs/cgroup', selfCgroup = readSelfCgroup()): InstanceCgroups | null {
  const layout = detectLayout(mount, selfCgroup);
  if (!layout) return null;
  try {
    return new InstanceCgroups(layout, groupName);
  } catch {
    return null;
  }
}

function readSelfCgroup(): string {
  try {
    return fs.readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return '';
  }
}

function detectLayout(mount: string, selfCgroup: string): TLayout | null {
  const lines = selfCgroup.split('\n').filter(Boolean).map((l) => l.split(':'));
  const pathOf = (controller: string) => lines.find(([, ctrls]) => ctrls.split(',').includes(controller))?.[2];
  const v1Memory = pathOf('memory');
  if (v1Memory !== undefined && fs.existsSync(path.join(mount, 'memory', 'memory.limit_in_bytes'))) {
    const v1Cpu = pathOf('cpu');
    const cpu = v1Cpu !== undefined && fs.existsSync(path.join(mount, 'cpu', 'cpu.cfs_quota_us')) ? path.join(mount, 'cpu', v1Cpu) : undefined;
    return { version: 1, memory: path.join(mount, 'memory', v1Memory), cpu };
  }
  const unified = lines.find(([id]) => id === '0')?.[2];
  if (unified !== undefined && fs.existsSync(path.join(mount, 'cgroup.controllers'))) return { version: 2, root: path.join(mount, unified) };
  return null;
}

export class InstanceCgroups {
  private readonly parents: string[];

  constructor(
    private readonly layout: TLayout,
    groupName: string,
  ) {
    if (layout.version === 1) {
      this.parents = [layout.memory, layout.cpu].filter((p): p is string => !!p).map((p) => path.join(p, groupName));
    } else {
      this.parents = [path.join(layout.root, groupName)];
    }
    for (const p of this.parents) fs.mkdirSync(p, { recursive: true });
    if (layout.version === 2) {
      // Children of our group may only use the controllers its subtree enables; this throws where they are not delegated.
      fs.writeFileSync(path.join(this.parents[0], 'cgroup.subtree_control'), '+memory');
      tryWrite(path.join(this.parents[0], 'cgroup.subtree_control'), '+cpu');
    }
  }

  /** Creates the instance's groups with its limits; returns an opaque handle. */
  create(instanceId: string, limits: { memoryBytes: number; cpus: number }): TInstanceCgroup {
    const dirs = this.parents.map((p) => path.join(p, instanceId));
    for (const d of dirs) fs.mkdirSync(d, { recursive: true });
    const quota = Math.round(limits.cpus * CPU_PERIOD_US);
    if (this.layout.version === 1) {
      const [memory, cpu] = dirs;
      fs.writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // Without swap accounting this file is absent; with it, swap must not extend the cap.
      tryWrite(path.join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      if (cpu) {
        fs.writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        fs.writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(quota));
      }
    } else {
      fs.writeFileSync(path.join(dirs[0], 'memory.max'), String(limits.memoryBytes));
      tryWrite(path.join(dirs[0], 'memory.swap.max'), '0');
      tryWrite(path.join(dirs[0], 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
    }
    return { dirs, version: this.layout.version };
  }

  /** Moves a process into the instance's groups (its later children follow). */
  add(group: TInstanceCgroup, pid: number): void {
    for (const d of group.dirs) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
  }

  /** Processes still in the instance's groups (a model's forked children). */
  pids(group: TInstanceCgroup): number[] {
    try {
      return fs.readFileSync(path.join(group.dirs[0], 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** True when the kernel killed a process of the group for exceeding its memory limit. */
  wasOomKilled(group: TInstanceCgroup): boolean {
    const file = group.version === 1 ? 'memory.oom_control' : 'memory.events';
    try {
      const count = /^oom_kill (\d+)/m.exec(fs.readFileSync(path.join(group.dirs[0], file), 'utf8'));
      return !!count && Number(count[1]) > 0;
    } catch {
      return false;
    }
  }

  /** Removes the instance's groups once their processes are gone; retries briefly while the kernel lets go of them. */
  async remove(group: TInstanceCgroup): Promise<void> {
    for (const d of group.dirs) await removeGroup(d);
  }

  /** Anvil start: ends what a previous Anvil process left in its groups, then removes them. */
  async reapLeftovers(): Promise<void> {
    for (const p of this.parents) {
      for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const group = { dirs: [path.join(p, entry.name)], version: this.layout.version };
        for (const pid of this.pids(group)) killQuietly(pid);
        await removeGroup(group.dirs[0]);
      }
    }
  }

  /** Anvil shutdown: removes Anvil's own group (its instances' groups are gone by then). */
  async close(): Promise<void> {
    await this.reapLeftovers();
    for (const p of this.parents) await removeGroup(p);
  }
}

export type TInstanceCgroup = { dirs: string[]; version: 1 | 2 };

async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (attempt >= 40) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function tryWrite(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch {
    /* optional knob, absent on this kernel */
  }
}
