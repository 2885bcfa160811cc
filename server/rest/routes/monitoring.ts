/** Monitoring over REST (guide §5): the metric catalog and a service's metric series. */
import { createRoute, z } from '@hono/zod-openapi';
import { METRIC_LEVELS } from '../../contracts/monitoring';
import { METRIC_NAMESPACE, METRICS, metricDef } from '../../core/monitoring/metric-catalog';
import { traceDetail } from '../../core/monitoring/trace-detail';
import type { TTraceSettings } from '../../core/monitoring/request-traces';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, ZResourceParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Monitoring'];

const ZCatalogSchema = z
  .object({
    namespace: z.literal(METRIC_NAMESPACE),
    period_seconds: z.number(),
    dimensions: z.array(z.string()),
    metrics: z.array(z.object({ metric_name: z.string(), name_en: z.string(), name_zh: z.string(), unit: z.string(), in_guide: z.boolean() })),
  })
  .meta({ id: 'MetricCatalog' });

const ZMonitorQuerySchema = z.object({
  metrics: z.string().optional().meta({ description: 'Comma-separated metric names (default: every metric of the catalog).' }),
  level: z.enum(METRIC_LEVELS).default('service').meta({ description: 'service, version (model load) or instance series.' }),
  model_id: z.string().optional().meta({ description: "Only this version's series (its version_id)." }),
  hours: z.enum(['1', '3', '12', '24', '168']).optional().meta({ description: 'The last 1, 3, 12 or 24 hours or 7 days (default 1).' }),
  from: z.coerce.number().int().nonnegative().optional().meta({ description: 'Start of a custom range, epoch ms (with `to`).' }),
  to: z.coerce.number().int().nonnegative().optional(),
  max_points: z.coerce.number().int().min(10).max(2000).default(500),
});

const ZMonitorSchema = z
  .object({
    service_id: z.string(),
    from: z.number(),
    to: z.number(),
    step_ms: z.number().meta({ description: 'Each point averages (or, for percentiles and in-flight requests, takes the maximum of) this many ms of 1-minute points.' }),
    ready_since: z.number().nullable().meta({ description: 'When the oldest running instance started; null when none runs.' }),
    series: z.array(z.object({ metric_name: z.string(), unit: z.string(), model_id: z.string(), instance_id: z.string(), datapoints: z.array(z.tuple([z.number(), z.number()])) })),
  })
  .meta({ id: 'ServiceMonitor' });

const catalog = createRoute({
  method: 'get',
  path: '/v1/{project_id}/metrics/catalog',
  operationId: 'listMetrics',
  summary: 'The metrics of guide table 5-1 and the extras Anvil adds',
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZCatalogSchema, 'Every metric with its unit.'), ...errorResponses(401, 403) },
});

const monitor = createRoute({
  method: 'get',
  path: '/v1/{project_id}/services/{id}/monitor',
  operationId: 'getServiceMonitor',
  summary: "A service's metric series over a range, at most max_points points each",
  tags: TAGS,
  request: { params: ZResourceParamsSchema, query: ZMonitorQuerySchema },
  responses: { 200: jsonResponse(ZMonitorSchema, 'One series per metric and per version or instance at those levels.'), ...errorResponses(400, 401, 403, 404) },
});

const ZTraceParamsSchema = ZResourceParamsSchema.extend({ request_id: z.string().min(1) });
const ZRestTraceSettingsSchema = z
  .object({
    sample_rate: z.number().meta({ description: 'Share of requests traced, 0-1 (default 1).' }),
    capacity: z.number().int().meta({ description: 'How many of the newest traces are kept, 10-10000 (default 1000).' }),
    capture_payloads: z.boolean().meta({ description: 'Keep request and response bodies (size-capped, secrets redacted).' }),
    max_payload_bytes: z.number().int().meta({ description: 'Per body, 256 B - 1 MiB (default 16 KiB).' }),
  })
  .meta({ id: 'TraceSettings' });
const listTraces = createRoute({
  method: 'get', path: '/v1/{project_id}/services/{id}/traces', operationId: 'listServiceTraces', summary: "The service's newest request traces (in memory; not kept across restarts)", tags: TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(z.object({ traces: z.array(z.record(z.string(), z.unknown())), settings: ZRestTraceSettingsSchema }), 'Newest first, without bodies.'), ...errorResponses(401, 403, 404) },
});
const getTrace = createRoute({
  method: 'get', path: '/v1/{project_id}/services/{id}/traces/{request_id}', operationId: 'getServiceTrace', summary: 'One trace with the log lines and events around it', tags: TAGS,
  request: { params: ZTraceParamsSchema },
  responses: { 200: jsonResponse(z.object({ trace: z.record(z.string(), z.unknown()), logs: z.array(z.unknown()), events: z.array(z.unknown()) }), 'The trace.'), ...errorResponses(401, 403, 404) },
});
const putTraceSettings = createRoute({
  method: 'put', path: '/v1/{project_id}/services/{id}/trace-settings', operationId: 'setServiceTraceSettings', summary: 'Sampling, ring size and payload capture of the traces', tags: TAGS,
  request: { params: ZResourceParamsSchema, body: { content: { 'application/json': { schema: ZRestTraceSettingsSchema.partial() } }, required: true } },
  responses: { 200: jsonResponse(ZRestTraceSettingsSchema, 'The settings now.'), ...errorResponses(400, 401, 403, 404) },
});
const settingsToRest = (s: TTraceSettings) => ({ sample_rate: s.sampleRate, capacity: s.capacity, capture_payloads: s.capturePayloads, max_payload_bytes: s.maxPayloadBytes });

const ZRestLogExportSchema = z
  .object({
    kind: z.enum(['off', 'obs', 'syslog', 'loki']),
    bucket: z.string().optional().meta({ description: 'obs: a bucket of the project.' }),
    prefix: z.string().optional().meta({ description: 'obs: folder of the daily files (default logs).' }),
    host: z.string().optional(),
    port: z.number().optional(),
    protocol: z.enum(['udp', 'tcp']).optional().meta({ description: 'syslog: RFC 5424 over UDP (default) or TCP with octet counting.' }),
    url: z.string().optional().meta({ description: "loki: the push API, e.g. http://loki:3100/loki/api/v1/push." }),
  })
  .meta({ id: 'LogExport' });
const ZRestLogExportStateSchema = z.object({
  target: z.record(z.string(), z.unknown()),
  status: z.object({ delivered: z.number(), failedBatches: z.number(), lastError: z.string(), lastAt: z.number().nullable() }),
});
const getLogExport = createRoute({
  method: 'get', path: '/v1/{project_id}/services/{id}/log-export', operationId: 'getServiceLogExport', summary: "Where the service's logs are also sent, and how delivery goes", tags: TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(ZRestLogExportStateSchema, 'The target and delivery counts since it was set.'), ...errorResponses(401, 403, 404) },
});
const putLogExport = createRoute({
  method: 'put', path: '/v1/{project_id}/services/{id}/log-export', operationId: 'setServiceLogExport', summary: 'Send the service\'s logs to object storage, syslog or Loki (or stop)', tags: TAGS,
  request: { params: ZResourceParamsSchema, body: { content: { 'application/json': { schema: ZRestLogExportSchema } }, required: true } },
  responses: { 200: jsonResponse(ZRestLogExportStateSchema, 'The target now.'), ...errorResponses(400, 401, 403, 404) },
});

export function registerMonitoringRoutes(app: TManagementApp): void {
  app.openapi(getLogExport, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    return c.json(core.logExport.get(id), 200);
  });
  app.openapi(putLogExport, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    return c.json(core.logExport.set(identity.projectId, id, c.req.valid('json')), 200);
  });
  app.openapi(listTraces, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    return c.json({ traces: core.traces.list(id), settings: settingsToRest(core.traces.settings(id)) }, 200);
  });
  app.openapi(getTrace, (c) => {
    const { core, identity } = c.var;
    const { id, request_id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    return c.json(traceDetail(core, id, request_id), 200);
  });
  app.openapi(putTraceSettings, async (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    const b = c.req.valid('json');
    const now = core.traces.settings(id);
    const next = await inRestTerms(restFieldOf({ sampleRate: 'sample_rate', capacity: 'capacity', capturePayloads: 'capture_payloads', maxPayloadBytes: 'max_payload_bytes' }), () =>
      core.traces.setSettings(id, {
        sampleRate: b.sample_rate ?? now.sampleRate, capacity: b.capacity ?? now.capacity, capturePayloads: b.capture_payloads ?? now.capturePayloads, maxPayloadBytes: b.max_payload_bytes ?? now.maxPayloadBytes,
      }),
    );
    return c.json(settingsToRest(next), 200);
  });

  app.openapi(catalog, (c) =>
    c.json(
      {
        namespace: METRIC_NAMESPACE, period_seconds: 60, dimensions: ['service_id', 'model_id', 'instance_id'],
        metrics: METRICS.map((m) => ({ metric_name: m.id, name_en: m.name.en, name_zh: m.name.zh, unit: m.unit, in_guide: !m.isExtra })),
      },
      200,
    ),
  );

  app.openapi(monitor, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    core.services.summary(identity.projectId, id);
    const range = q.from !== undefined || q.to !== undefined
      ? { kind: 'custom' as const, from: q.from ?? 0, to: q.to ?? Date.now() }
      : { kind: 'last' as const, hours: Number(q.hours ?? '1') as 1 | 3 | 12 | 24 | 168 };
    const metrics = q.metrics ? q.metrics.split(',').map((m) => m.trim()).filter(Boolean) : METRICS.map((m) => m.id);
    const r = core.monitoring.query({ serviceId: id, metrics, level: q.level, modelId: q.model_id, range, maxPoints: q.max_points });
    return c.json(
      {
        service_id: id, from: r.from, to: r.to, step_ms: r.stepMs, ready_since: r.readySince,
        series: r.series.map((s) => ({ metric_name: s.metric, unit: metricDef(s.metric)!.unit, model_id: s.modelId, instance_id: s.instanceId, datapoints: s.points })),
      },
      200,
    );
  });
}
