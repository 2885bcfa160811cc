/**
 * Cloud Eye's metric APIs over Anvil's metrics (guide §5.1): `GET /V1.0/{project_id}/metric-data`
 * with `dim.0=service_id,<id>&dim.1=model_id,<id>`, and `POST
 * /V1.0/{project_id}/batch-query-metric-data` with `dimensions: [{name, value}]`, so that scripts
 * written against Cloud Eye read Anvil's `SYS.ModelArts` metrics unchanged.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CLOUD_EYE_FILTERS, CLOUD_EYE_PERIODS, MAX_DATAPOINTS, type TCloudEyeMetric } from '../../core/monitoring/cloud-eye-query';
import { invalid } from '../../core/errors';
import { METRIC_NAMESPACE } from '../../core/monitoring/metric-catalog';
import { errorResponses, jsonResponse, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Monitoring'];
const ZRange = {
  from: z.coerce.number().int().nonnegative().meta({ description: 'Start, epoch milliseconds.' }),
  to: z.coerce.number().int().nonnegative().meta({ description: 'End, epoch milliseconds (after `from`).' }),
  period: z.enum(CLOUD_EYE_PERIODS).meta({ description: `Seconds per datapoint; 1 is the raw 1-minute points. At most ${MAX_DATAPOINTS} datapoints per metric.` }),
  filter: z.enum(CLOUD_EYE_FILTERS).meta({ description: 'The statistic of each period.' }),
};
const dimension = (i: number) => z.string().optional().meta({ description: `A dimension as name,value${i === 0 ? ' (service_id,<service id>)' : ' (model_id,<version id> for a model load)'}.` });
const ZDimension = z.object({ name: z.string(), value: z.string() });
const ZDatapoint = z.record(z.string(), z.union([z.number(), z.string()])).meta({ description: '`{<filter>: value, timestamp}`' });

const metricData = createRoute({
  method: 'get', path: '/V1.0/{project_id}/metric-data', operationId: 'showMetricData', summary: 'Cloud Eye: one metric of an online service or model load over a range', tags: TAGS,
  request: {
    params: ZProjectParamsSchema,
    query: z.object({ namespace: z.string().meta({ description: METRIC_NAMESPACE }), metric_name: z.string(), 'dim.0': dimension(0), 'dim.1': dimension(1), 'dim.2': dimension(2), ...ZRange }),
  },
  responses: {
    200: jsonResponse(z.object({ metric_name: z.string(), datapoints: z.array(ZDatapoint) }).meta({ id: 'CloudEyeMetricData' }), 'Oldest first; each datapoint carries the unit.'),
    ...errorResponses(400, 401, 403, 404),
  },
});

const batchQuery = createRoute({
  method: 'post', path: '/V1.0/{project_id}/batch-query-metric-data', operationId: 'batchListMetricData', summary: 'Cloud Eye: up to 10 metrics over one range', tags: TAGS,
  request: {
    params: ZProjectParamsSchema,
    body: {
      content: { 'application/json': { schema: z.object({ metrics: z.array(z.object({ namespace: z.string(), metric_name: z.string(), dimensions: z.array(ZDimension).max(3) })).min(1).max(10), ...ZRange }) } },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(
      z.object({ metrics: z.array(z.object({ namespace: z.string(), metric_name: z.string(), dimensions: z.array(ZDimension), unit: z.string(), datapoints: z.array(ZDatapoint) })) }).meta({ id: 'CloudEyeBatchMetricData' }),
      'The metrics in the order asked.',
    ),
    ...errorResponses(400, 401, 403, 404),
  },
});

/** `dim.N=name,value`: the name is everything before the first comma. */
function parseDimension(field: string, raw: string): { name: string; value: string } {
  const comma = raw.indexOf(',');
  if (comma < 0) throw invalid(field, `Write a dimension as name,value (e.g. service_id,<service id>); got ${JSON.stringify(raw)}.`);
  return { name: raw.slice(0, comma), value: raw.slice(comma + 1) };
}

export function registerCloudEyeRoutes(app: TManagementApp): void {
  app.openapi(metricData, (c) => {
    const q = c.req.valid('query');
    const dims = (['dim.0', 'dim.1', 'dim.2'] as const).filter((k) => q[k] !== undefined).map((k) => ({ field: k, ...parseDimension(k, q[k]!) }));
    const metric: TCloudEyeMetric = { namespace: q.namespace, metric_name: q.metric_name, dimensions: dims.map(({ name, value }) => ({ name, value })) };
    const [answer] = c.var.core.monitoring.cloudEye(
      c.var.identity.projectId,
      [{ metric, fields: { namespace: 'namespace', metric: 'metric_name', dimension: (i) => dims[i].field, dimensions: 'dim.0' } }],
      { from: q.from, to: q.to, period: q.period, filter: q.filter },
    );
    return c.json({ metric_name: q.metric_name, datapoints: answer.datapoints.map((d) => ({ ...d, unit: answer.unit })) }, 200);
  });

  app.openapi(batchQuery, (c) => {
    const b = c.req.valid('json');
    const answers = c.var.core.monitoring.cloudEye(
      c.var.identity.projectId,
      b.metrics.map((metric, k) => ({
        metric, fields: { namespace: `metrics.${k}.namespace`, metric: `metrics.${k}.metric_name`, dimension: (i: number) => `metrics.${k}.dimensions.${i}`, dimensions: `metrics.${k}.dimensions` },
      })),
      { from: b.from, to: b.to, period: b.period, filter: b.filter },
    );
    return c.json({ metrics: answers.map((a, k) => ({ ...b.metrics[k], unit: a.unit, datapoints: a.datapoints })) }, 200);
  });
}
