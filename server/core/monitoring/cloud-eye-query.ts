/**
 * Metric queries in Cloud Eye's terms (guide §5.1, table 5-2): a metric of namespace
 * `SYS.ModelArts` named by its dimensions, `service_id` for an online service, `service_id` and
 * `model_id` for a model load (one version). "For objects with several dimensions, every dimension
 * is mandatory": a model load asked for by `service_id` alone is refused, as is a metric asked of an
 * object table 5-1 does not measure it on. Periods and statistics are Cloud Eye's.
 */
import { CoreError, invalid } from '../errors';
import { METRIC_NAMESPACE, METRIC_PERIOD_MS, metricDef, type TMeasuredObject, type TMetricDef } from './metric-catalog';
import type { MetricStore, TPeriodFilter } from './metric-store';

/** Seconds; 1 is the raw 1-minute points. */
export const CLOUD_EYE_PERIODS = ['1', '300', '1200', '3600', '14400', '86400'] as const;
export const CLOUD_EYE_FILTERS = ['average', 'max', 'min', 'sum', 'variance'] as const;
/** The most datapoints one metric of a query may ask for. */
export const MAX_DATAPOINTS = 3000;

export type TCloudEyeMetric = { namespace: string; metric_name: string; dimensions: { name: string; value: string }[] };
export type TCloudEyeRange = { from: number; to: number; period: (typeof CLOUD_EYE_PERIODS)[number]; filter: TPeriodFilter };
export type TCloudEyeSeries = { def: TMetricDef; serviceId: string; modelId: string };

const OBJECT_NAMES: Record<TMeasuredObject, string> = { model_load: 'a model load (dimensions service_id and model_id)', service: 'an online service (dimension service_id)' };

/** The period's length in ms: `1` means the 1-minute points themselves. */
export const periodMs = (period: TCloudEyeRange['period']) => (period === '1' ? METRIC_PERIOD_MS : Number(period) * 1000);

/** Which series a metric with its dimensions names; `fields` name the request's fields in errors (a GET's `dim.0`, a batch's `metrics.0.dimensions.0`). */
export function resolveMetric(
  m: TCloudEyeMetric,
  versionsOf: (serviceId: string) => string[] | undefined,
  fields: { namespace: string; metric: string; dimension: (i: number) => string; dimensions: string },
): TCloudEyeSeries {
  if (m.namespace !== METRIC_NAMESPACE) throw invalid(fields.namespace, `Unknown namespace ${JSON.stringify(m.namespace)}; ModelArts metrics are in ${METRIC_NAMESPACE}.`);
  const def = metricDef(m.metric_name);
  if (!def) throw invalid(fields.metric, `Unknown metric ${JSON.stringify(m.metric_name)} in ${METRIC_NAMESPACE}; see GET /v1/{project_id}/metrics/catalog.`);
  const dims = new Map<string, string>();
  m.dimensions.forEach((d, i) => {
    if (d.name !== 'service_id' && d.name !== 'model_id') throw invalid(fields.dimension(i), `Unknown dimension ${JSON.stringify(d.name)}; ${METRIC_NAMESPACE} has service_id and model_id.`);
    if (dims.has(d.name)) throw invalid(fields.dimension(i), `Dimension ${d.name} is given twice.`);
    if (!d.value) throw invalid(fields.dimension(i), `Dimension ${d.name} needs a value.`);
    dims.set(d.name, d.value);
  });
  const serviceId = dims.get('service_id');
  const modelId = dims.get('model_id');
  const field = fields.dimensions;
  // Guide §5.1: a model load is named by both of its dimensions, never by one.
  if (!serviceId) throw invalid(field, modelId ? 'A model load is named by service_id and model_id: every dimension of a multi-dimension object is mandatory.' : 'Name the object by its dimensions: service_id, and model_id for a model load.');
  const object: TMeasuredObject = modelId ? 'model_load' : 'service';
  if (!def.objects.includes(object)) {
    const on = def.objects.map((o) => OBJECT_NAMES[o]).join(' or ');
    throw invalid(field, `${def.id} is measured on ${on}${def.objects.includes('model_load') ? ': every dimension of a multi-dimension object is mandatory' : ''}.`);
  }
  const versions = versionsOf(serviceId);
  if (!versions) throw new CoreError('NOT_FOUND', `No service ${serviceId} in this project.`);
  if (modelId && !versions.includes(modelId)) throw invalid(field, `Service ${serviceId} has no model load (version) ${modelId}.`);
  return { def, serviceId, modelId: modelId ?? '' };
}

/** Checks a range: from before to, and no more than MAX_DATAPOINTS periods in it. */
export function checkRange(r: TCloudEyeRange): void {
  if (!(r.from < r.to)) throw invalid('to', '`to` must be after `from` (both epoch milliseconds).');
  const points = Math.ceil((r.to - r.from) / periodMs(r.period));
  if (points > MAX_DATAPOINTS) throw invalid('period', `The range holds ${points} periods of ${r.period} s; at most ${MAX_DATAPOINTS} datapoints: shorten the range or take a longer period.`);
}

/** The datapoints of one resolved series: `{<filter>: value, timestamp}`, oldest first. */
export function datapoints(store: MetricStore, s: TCloudEyeSeries, r: TCloudEyeRange): Record<string, number>[] {
  return store
    .periodValues({ serviceId: s.serviceId, metric: s.def.id, modelId: s.modelId, from: r.from, to: r.to, periodMs: periodMs(r.period), filter: r.filter })
    .map(([timestamp, value]) => ({ [r.filter]: value, timestamp }));
}
