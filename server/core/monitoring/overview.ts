/**
 * The console's home: the project's services by status, its calls and errors over the last 24 h
 * (summed over services), the services with the most traffic and the highest error rates, and what
 * the nodes hold against what they have.
 */
import type { TOverview } from '../../contracts/monitoring';
import type { TPoolView } from '../../contracts/pools';
import type { MetricStore } from './metric-store';

const DAY_MS = 86_400_000;
const TOP = 5;

export function projectOverview(store: MetricStore, services: { id: string; name: string; status: string }[], pools: TPoolView[], nowMs = Date.now()): TOverview {
  const from = nowMs - DAY_MS;
  const ids = services.map((s) => s.id);
  const servicesByStatus: Record<string, number> = {};
  for (const s of services) servicesByStatus[s.status] = (servicesByStatus[s.status] ?? 0) + 1;
  const total = store.sumOverServices(ids, 'total_called_times', from, nowMs, 288);
  const failed = store.sumOverServices(ids, 'failed_called_times', from, nowMs, 288);
  const calls = store.totalsByService(ids, 'total_called_times', from, nowMs);
  const fails = store.totalsByService(ids, 'failed_called_times', from, nowMs);
  const rows = services.map((s) => ({ serviceId: s.id, name: s.name, calls: calls.get(s.id) ?? 0, failed: fails.get(s.id) ?? 0 }));
  return {
    servicesByStatus,
    calls: { stepMs: total.stepMs, from, to: nowMs, total: total.points, failed: failed.points },
    totals: { calls: rows.reduce((n, r) => n + r.calls, 0), failed: rows.reduce((n, r) => n + r.failed, 0) },
    topByTraffic: rows.filter((r) => r.calls > 0).sort((a, b) => b.calls - a.calls).slice(0, TOP).map(({ serviceId, name, calls: c }) => ({ serviceId, name, calls: c })),
    topByErrorRate: rows
      .filter((r) => r.failed > 0)
      .map((r) => ({ ...r, errorRate: r.failed / r.calls }))
      .sort((a, b) => b.errorRate - a.errorRate || b.failed - a.failed)
      .slice(0, TOP),
    nodes: pools.flatMap((p) =>
      p.nodes.map((n) => ({
        poolId: p.id, name: n.name, status: n.status,
        cpus: { used: n.used.cpus, total: n.total.cpus }, memoryGiB: { used: n.used.memoryGiB, total: n.total.memoryGiB }, gpus: { used: n.used.gpus, total: n.total.gpus },
      })),
    ),
  };
}
