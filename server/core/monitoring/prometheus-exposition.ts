/**
 * `GET /metrics` for Prometheus: the latest 1-minute value of every series, named as in guide table
 * 5-1 (plus Anvil's extras), with the dimensions as labels and `level` saying which aggregate a
 * sample is, so a sum over instances never double-counts the version and service series.
 */
import { Gauge, Registry } from 'prom-client';
import { METRIC_NAMESPACE, METRICS } from './metric-catalog';
import type { MetricStore } from './metric-store';

export type TServiceRef = { projectId: string; name: string };
const LABELS = ['project_id', 'service_id', 'service_name', 'model_id', 'instance_id', 'level'] as const;

/**
 * The exposition text of the given services' series (all of them with the operator's token) that
 * have a point since `since`: a series of an instance that is gone is not a current value.
 */
export async function prometheusText(
  store: MetricStore,
  serviceOf: (id: string) => TServiceRef | undefined,
  scope: { since: number; serviceIds?: readonly string[] },
): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauges = new Map(
    METRICS.map((m) => [m.id, new Gauge({ name: m.id, help: `${m.name.en} (${m.unit}), ${METRIC_NAMESPACE}; last complete minute`, labelNames: LABELS, registers: [registry] })]),
  );
  for (const p of store.latest(scope)) {
    const ref = serviceOf(p.serviceId);
    const gauge = gauges.get(p.metric);
    if (!ref || !gauge) continue;
    const level = p.instanceId ? 'instance' : p.modelId ? 'version' : 'service';
    gauge.set({ project_id: ref.projectId, service_id: p.serviceId, service_name: ref.name, model_id: p.modelId, instance_id: p.instanceId, level }, p.value);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
