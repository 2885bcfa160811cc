/**
 * One `docker stats` reading reduced to what the monitoring charts keep (pure; unit-tested on
 * recorded engine output): CPU % of one core (like `docker stats`), memory without the page cache,
 * and cumulative network and block I/O bytes.
 */
import type Docker from 'dockerode';

export type TStatsSample = {
  ts: number;
  cpuPct: number | null;
  memBytes: number | null;
  memLimitBytes: number | null;
  netRxBytes: number;
  netTxBytes: number;
  blkReadBytes: number;
  blkWriteBytes: number;
};

type TRawStats = Partial<Docker.ContainerStats> & { read?: string };

export function statsSample(raw: TRawStats): TStatsSample {
  const cpu = raw.cpu_stats;
  const pre = raw.precpu_stats;
  let cpuPct: number | null = null;
  if (cpu && pre && cpu.system_cpu_usage !== undefined && pre.system_cpu_usage !== undefined) {
    const cpuDelta = cpu.cpu_usage.total_usage - pre.cpu_usage.total_usage;
    const systemDelta = cpu.system_cpu_usage - pre.system_cpu_usage;
    const cores = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1;
    if (systemDelta > 0 && cpuDelta >= 0) cpuPct = round2((cpuDelta / systemDelta) * cores * 100);
  }
  const mem = raw.memory_stats;
  // cgroup v1 reports the page cache as `cache`, v2 as `inactive_file`: `docker stats` subtracts it.
  const stats = (mem?.stats ?? {}) as Record<string, number | undefined>;
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? stats.cache ?? 0;
  const memBytes = mem?.usage !== undefined ? Math.max(0, mem.usage - cache) : null;
  let netRxBytes = 0;
  let netTxBytes = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    netRxBytes += n.rx_bytes;
    netTxBytes += n.tx_bytes;
  }
  let blkReadBytes = 0;
  let blkWriteBytes = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(e.op)) blkReadBytes += e.value;
    else if (/^write$/i.test(e.op)) blkWriteBytes += e.value;
  }
  const ts = raw.read && !raw.read.startsWith('0001') ? Date.parse(raw.read) : Date.now();
  return { ts, cpuPct, memBytes, memLimitBytes: mem?.limit ?? null, netRxBytes, netTxBytes, blkReadBytes, blkWriteBytes };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
