/**
 * Engine stats samples per instance (CPU %, memory, network and block I/O), written in batches so
 * sampling never waits on the database; kept 7 days for the monitoring charts.
 */
import type { TDatabase } from '../db/database';
import type { TStatsSample } from '../runtime/docker/container-stats';
import { BatchedInsert } from './batched-insert';

const RETENTION_MS = 7 * 24 * 3600 * 1000;

export type TInstanceStatsSample = TStatsSample & { instanceId: string; serviceId: string };

export class InstanceStats {
  private readonly batch: BatchedInsert<unknown[]>;

  constructor(private readonly db: TDatabase) {
    this.batch = new BatchedInsert(
      db,
      `INSERT INTO instance_stats (service_id, instance_id, ts, cpu_pct, mem_bytes, mem_limit_bytes, net_rx_bytes, net_tx_bytes, blk_read_bytes, blk_write_bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      { delayMs: 1000, tag: 'stats', what: 'instance stats' },
    );
  }

  record(r: TInstanceStatsSample): void {
    this.batch.push([r.serviceId, r.instanceId, r.ts, r.cpuPct, r.memBytes, r.memLimitBytes, r.netRxBytes, r.netTxBytes, r.blkReadBytes, r.blkWriteBytes]);
  }

  flush(): void {
    this.batch.flush();
  }

  /** Writes what is pending and takes no more (Anvil is closing): a reading still in flight is dropped. */
  close(): void {
    this.batch.close();
  }

  /** Samples of a service's instances since `from` (epoch ms), oldest first. */
  list(serviceId: string, from = 0): (TInstanceStatsSample & { ts: number })[] {
    this.flush();
    const rows = this.db
      .prepare('SELECT * FROM instance_stats WHERE service_id = ? AND ts >= ? ORDER BY ts')
      .all(serviceId, from) as Record<string, number | string | null>[];
    return rows.map((r) => ({
      serviceId: r.service_id as string, instanceId: r.instance_id as string, ts: r.ts as number, cpuPct: r.cpu_pct as number | null,
      memBytes: r.mem_bytes as number | null, memLimitBytes: r.mem_limit_bytes as number | null, netRxBytes: r.net_rx_bytes as number,
      netTxBytes: r.net_tx_bytes as number, blkReadBytes: r.blk_read_bytes as number, blkWriteBytes: r.blk_write_bytes as number,
    }));
  }

  purgeExpired(): void {
    this.db.prepare('DELETE FROM instance_stats WHERE ts < ?').run(Date.now() - RETENTION_MS);
  }
}
