/**
 * What an instance uses, as cumulative readings (CPU seconds, bytes read and written, bytes over
 * the network) and current ones (memory), from whichever runtime runs it: `/proc/<pid>` for the
 * process runtime, the engine's stats for containers. Rates come from two readings, so a reader
 * never needs to know how long ago the last one was taken.
 */
import fs from 'node:fs';
import type { TStatsSample } from '../runtime/docker/container-stats';

export type TUsageReading = {
  ts: number;
  /** Cumulative CPU time of the instance, in seconds; null when the runtime cannot say. */
  cpuSeconds: number | null;
  /** CPU use as a percentage of one core, when the runtime gives it directly (the engine does). */
  cpuPctOfCore?: number | null;
  memBytes: number | null;
  diskReadBytes: number | null;
  diskWriteBytes: number | null;
  /** Null on the process runtime: instances share the host's network, which has no per-process counters. */
  netRxBytes: number | null;
  netTxBytes: number | null;
};

/** Per-second rates between two readings of one instance (null where either reading lacks the value). */
export type TUsageRates = {
  cpuCores: number | null;
  memBytes: number | null;
  diskReadBps: number | null;
  diskWriteBps: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
};

export function usageRates(prev: TUsageReading | undefined, next: TUsageReading): TUsageRates {
  const seconds = prev ? (next.ts - prev.ts) / 1000 : 0;
  const rate = (a: number | null | undefined, b: number | null) =>
    // A counter that went down was reset (the process or container restarted): no rate for this interval.
    prev && seconds > 0 && a !== null && a !== undefined && b !== null && b >= a ? (b - a) / seconds : null;
  const cpuCores = next.cpuPctOfCore !== undefined && next.cpuPctOfCore !== null ? next.cpuPctOfCore / 100 : rate(prev?.cpuSeconds, next.cpuSeconds);
  return {
    cpuCores, memBytes: next.memBytes,
    diskReadBps: rate(prev?.diskReadBytes, next.diskReadBytes), diskWriteBps: rate(prev?.diskWriteBytes, next.diskWriteBytes),
    netRxBps: rate(prev?.netRxBytes, next.netRxBytes), netTxBps: rate(prev?.netTxBytes, next.netTxBytes),
  };
}

/** An engine stats sample as a reading. */
export function readingFromStats(s: TStatsSample): TUsageReading {
  return {
    ts: s.ts, cpuSeconds: null, cpuPctOfCore: s.cpuPct, memBytes: s.memBytes,
    diskReadBytes: s.blkReadBytes, diskWriteBytes: s.blkWriteBytes, netRxBytes: s.netRxBytes, netTxBytes: s.netTxBytes,
  };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux Anvil runs on). */
const USER_HZ = 100;

/**
 * A reading from the texts of `/proc/<pid>/stat`, `status` and `io` (pure; `io` may be missing:
 * reading another user's needs privileges). CPU time includes children the process has waited for.
 */
export function parseProcReading(ts: number, texts: { stat: string; status: string; io?: string }): TUsageReading {
  // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
  const fields = texts.stat.slice(texts.stat.lastIndexOf(')') + 2).split(' ');
  // stat(5): utime, stime, cutime, cstime are fields 14-17, i.e. 11-14 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(texts.status);
  const io = (name: string) => {
    const m = texts.io ? new RegExp(`^${name}: (\\d+)$`, 'm').exec(texts.io) : null;
    return m ? Number(m[1]) : null;
  };
  return {
    ts, cpuSeconds: Number.isFinite(ticks) ? ticks / USER_HZ : null, memBytes: rss ? Number(rss[1]) * 1024 : null,
    diskReadBytes: io('read_bytes'), diskWriteBytes: io('write_bytes'), netRxBytes: null, netTxBytes: null,
  };
}

/** Reads a live process; undefined once it is gone. */
export function readProcess(pid: number, ts = Date.now()): TUsageReading | undefined {
  const read = (name: string) => fs.readFileSync(`/proc/${pid}/${name}`, 'utf8');
  try {
    let io: string | undefined;
    try {
      io = read('io');
    } catch {
      io = undefined;
    }
    return parseProcReading(ts, { stat: read('stat'), status: read('status'), io });
  } catch {
    return undefined;
  }
}
