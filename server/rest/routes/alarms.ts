/** Alarm rules, alarms, webhook deliveries and console notifications over REST (guide §5.2). */
import { createRoute, z } from '@hono/zod-openapi';
import { ALARM_COMPARISONS, ALARM_SCOPES, ALARM_SEVERITIES, ALARM_STATISTICS, type TAlarm, type TAlarmRule, type TAlarmRuleInput } from '../../contracts/alarms';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, ZResourceParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Alarms'];
const REST_FIELDS: Record<string, string> = {
  serviceId: 'service_id', versionId: 'version_id', periodMinutes: 'period_minutes', consecutivePeriods: 'consecutive_periods', notifyConsole: 'notify_console', webhookUrl: 'webhook_url',
};

const ZRestRuleBodySchema = z
  .object({
    name: z.string(),
    scope: z.enum(ALARM_SCOPES),
    service_id: z.string().optional(),
    version_id: z.string().optional(),
    metric: z.string().meta({ description: 'A metric of GET /v1/{project_id}/metrics/catalog.' }),
    statistic: z.enum(ALARM_STATISTICS),
    comparison: z.enum(ALARM_COMPARISONS),
    threshold: z.number(),
    period_minutes: z.number().meta({ description: '1, 5, 10, 30 or 60.' }),
    consecutive_periods: z.number().int().meta({ description: 'Periods in a row over the threshold before it fires (1-10).' }),
    severity: z.enum(ALARM_SEVERITIES),
    enabled: z.boolean().optional(),
    notify_console: z.boolean().optional(),
    webhook_url: z.string().optional().meta({ description: 'POSTed a signed JSON body when the alarm fires and resolves (docs/monitoring.md).' }),
  })
  .meta({ id: 'AlarmRuleBody' });
const ZRestRuleSchema = ZRestRuleBodySchema.extend({ id: z.string(), created_at: z.number(), firing: z.number(), webhook_secret: z.string().optional() }).meta({ id: 'AlarmRule' });
const ZRestAlarmSchema = z
  .object({
    id: z.string(), rule_id: z.string(), rule_name: z.string(), severity: z.string(), service_id: z.string(), version_id: z.string(), metric: z.string(),
    state: z.enum(['firing', 'resolved']), value: z.number(), threshold: z.number(), comparison: z.string(), fired_at: z.number(), resolved_at: z.number().nullable(),
  })
  .meta({ id: 'Alarm' });

const fromRest = (b: z.infer<typeof ZRestRuleBodySchema>): TAlarmRuleInput => ({
  name: b.name, scope: b.scope, serviceId: b.service_id, versionId: b.version_id, metric: b.metric, statistic: b.statistic, comparison: b.comparison,
  threshold: b.threshold, periodMinutes: b.period_minutes as 1, consecutivePeriods: b.consecutive_periods, severity: b.severity, enabled: b.enabled,
  notifyConsole: b.notify_console, webhookUrl: b.webhook_url,
});
const toRest = (r: TAlarmRule, webhookSecret?: string) => ({
  id: r.id, name: r.name, scope: r.scope, service_id: r.serviceId, version_id: r.versionId, metric: r.metric, statistic: r.statistic, comparison: r.comparison,
  threshold: r.threshold, period_minutes: r.periodMinutes, consecutive_periods: r.consecutivePeriods, severity: r.severity, enabled: r.enabled,
  notify_console: r.notifyConsole, webhook_url: r.webhookUrl, created_at: r.createdAt, firing: r.firing, ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
});
const alarmToRest = (a: TAlarm) => ({
  id: a.id, rule_id: a.ruleId, rule_name: a.ruleName, severity: a.severity, service_id: a.serviceId, version_id: a.versionId, metric: a.metric, state: a.state,
  value: a.value, threshold: a.threshold, comparison: a.comparison, fired_at: a.firedAt, resolved_at: a.resolvedAt,
});
const fieldOf = restFieldOf(REST_FIELDS);

const route = <M extends 'get' | 'post' | 'put' | 'delete'>(method: M, path: string, operationId: string, summary: string) => ({ method, path, operationId, summary, tags: TAGS });
const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const listRules = createRoute({ ...route('get', '/v1/{project_id}/alarm-rules', 'listAlarmRules', 'Alarm rules of the project'), request: { params: ZProjectParamsSchema }, responses: { 200: jsonResponse(z.object({ rules: z.array(ZRestRuleSchema) }), 'Oldest first.'), ...errorResponses(401, 403) } });
const createRule = createRoute({
  ...route('post', '/v1/{project_id}/alarm-rules', 'createAlarmRule', 'Create an alarm rule; the answer carries its webhook secret'),
  request: { params: ZProjectParamsSchema, ...json(ZRestRuleBodySchema) },
  responses: { 201: jsonResponse(ZRestRuleSchema, 'The rule, with `webhook_secret`.'), ...errorResponses(400, 401, 403) },
});
const getRule = createRoute({ ...route('get', '/v1/{project_id}/alarm-rules/{id}', 'getAlarmRule', 'One alarm rule'), request: { params: ZResourceParamsSchema }, responses: { 200: jsonResponse(ZRestRuleSchema, 'The rule.'), ...errorResponses(401, 403, 404) } });
const updateRule = createRoute({
  ...route('put', '/v1/{project_id}/alarm-rules/{id}', 'updateAlarmRule', 'Replace an alarm rule (also how it is enabled or disabled)'),
  request: { params: ZResourceParamsSchema, ...json(ZRestRuleBodySchema) },
  responses: { 200: jsonResponse(ZRestRuleSchema, 'The rule.'), ...errorResponses(400, 401, 403, 404) },
});
const deleteRule = createRoute({ ...route('delete', '/v1/{project_id}/alarm-rules/{id}', 'deleteAlarmRule', 'Delete an alarm rule; its firing alarms resolve now, with their notifications'), request: { params: ZResourceParamsSchema }, responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) } });
const ruleSecret = createRoute({
  ...route('get', '/v1/{project_id}/alarm-rules/{id}/webhook-secret', 'getAlarmRuleWebhookSecret', 'The key that signs the rule\'s webhook bodies'),
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(z.object({ webhook_secret: z.string() }), 'HMAC-SHA256 key.'), ...errorResponses(401, 403, 404) },
});
const listAlarms = createRoute({
  ...route('get', '/v1/{project_id}/alarms', 'listAlarms', 'Alarms, firing and resolved, newest first'),
  request: { params: ZProjectParamsSchema, query: z.object({ state: z.enum(['firing', 'resolved']).optional(), service_id: z.string().optional() }) },
  responses: { 200: jsonResponse(z.object({ alarms: z.array(ZRestAlarmSchema) }), 'At most 200.'), ...errorResponses(400, 401, 403) },
});
const deliveries = createRoute({
  ...route('get', '/v1/{project_id}/alarms/{id}/deliveries', 'listWebhookDeliveries', 'Webhook delivery attempts of an alarm'),
  request: { params: ZResourceParamsSchema },
  responses: {
    200: jsonResponse(z.object({ deliveries: z.array(z.object({ event: z.string(), url: z.string(), attempt: z.number(), status: z.string(), http_status: z.number().nullable(), error: z.string(), at: z.number() })) }), 'Oldest first.'),
    ...errorResponses(401, 403, 404),
  },
});

export function registerAlarmRoutes(app: TManagementApp): void {
  app.openapi(listRules, (c) => c.json({ rules: c.var.core.monitoring.rules.list(c.var.identity.projectId).map((r) => toRest(r)) }, 200));
  app.openapi(createRule, async (c) => {
    const { rule, webhookSecret } = await inRestTerms(fieldOf, () => c.var.core.monitoring.rules.create(c.var.identity.projectId, fromRest(c.req.valid('json'))));
    return c.json(toRest(rule, webhookSecret), 201);
  });
  app.openapi(getRule, (c) => c.json(toRest(c.var.core.monitoring.rules.get(c.var.identity.projectId, c.req.valid('param').id)), 200));
  app.openapi(updateRule, async (c) => {
    const rule = await inRestTerms(fieldOf, () => c.var.core.monitoring.rules.update(c.var.identity.projectId, c.req.valid('param').id, fromRest(c.req.valid('json'))));
    return c.json(toRest(rule), 200);
  });
  app.openapi(deleteRule, (c) => {
    c.var.core.monitoring.rules.remove(c.var.identity.projectId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(ruleSecret, (c) => c.json({ webhook_secret: c.var.core.monitoring.rules.secret(c.var.identity.projectId, c.req.valid('param').id) }, 200));
  app.openapi(listAlarms, (c) => {
    const q = c.req.valid('query');
    return c.json({ alarms: c.var.core.monitoring.alarms.alarms(c.var.identity.projectId, { state: q.state, serviceId: q.service_id }).map(alarmToRest) }, 200);
  });
  app.openapi(deliveries, (c) =>
    c.json(
      {
        deliveries: c.var.core.monitoring.alarms
          .deliveries(c.var.identity.projectId, c.req.valid('param').id)
          .map((d) => ({ event: d.event, url: d.url, attempt: d.attempt, status: d.status, http_status: d.httpStatus, error: d.error, at: d.at })),
      },
      200,
    ),
  );
}
