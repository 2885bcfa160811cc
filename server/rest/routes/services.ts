/** `/v1/{project_id}/services`: online services — create, read, delete, events and logs. */
import { createRoute } from '@hono/zod-openapi';
import {
  REST_SERVICE_FIELDS,
  ZRestCreatedServiceSchema,
  ZRestCreateServiceSchema,
  ZRestLogLinesSchema,
  ZRestLogQuerySchema,
  ZRestServiceDetailSchema,
  ZRestServiceListSchema,
  type TRestCreateService,
} from '../../contracts/rest-services';
import { ZRestEventListSchema } from '../../contracts/rest-models';
import type { TAutoStop, TServiceSummary, TServiceVersion } from '../../contracts/services';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, ZResourceParamsSchema, type TManagementApp } from './route-kit';

export const SERVICE_TAGS = ['Services'];

const VERSION_FIELDS: Record<string, string> = { appId: 'model_id', flavor: 'specification', instanceCount: 'instance_count', weight: 'weight', envs: 'envs' };

/** Core errors name form fields; `envs.<i>.key` points at the i-th name of the REST `envs` map. */
export const serviceFieldOf = (envNames: string[] = []) => {
  const byHead = restFieldOf(REST_SERVICE_FIELDS);
  return (field: string) => {
    const env = /^envs\.(\d+)(?:\.\w+)?$/.exec(field);
    if (env && envNames[Number(env[1])] !== undefined) return `config.0.envs.${envNames[Number(env[1])]}`;
    if (field.startsWith('autoStop')) return 'schedule.0.duration';
    // Further versions are config[1…] in REST; their fields have REST names.
    const version = /^versions\.(\d+)(?:\.(\w+))?/.exec(field);
    if (version) return `config.${Number(version[1]) + 1}${version[2] ? `.${VERSION_FIELDS[version[2]] ?? version[2]}` : ''}`;
    return byHead(field);
  };
};

const envsOf = (envs: Record<string, string> | undefined) => Object.entries(envs ?? {}).map(([key, value]) => ({ key, value }));

/** A REST `config` entry → a version of the form. */
export const versionOf = (c: TRestCreateService['config'][number]) => ({
  ...(c.version_id ? { id: c.version_id } : {}), appId: c.model_id, weight: c.weight ?? 100, flavor: c.specification, instanceCount: c.instance_count ?? 1, envs: envsOf(c.envs),
});

/** ModelArts `schedule` → the form's auto-stop: `[]` switches it off, absent keeps the default. */
export function autoStopOf(schedule: TRestCreateService['schedule']): TAutoStop | undefined {
  if (!schedule) return undefined;
  return schedule.length === 0 ? { enabled: false, hours: 1 } : { enabled: true, hours: schedule[0].duration };
}

/** The REST `config` entry of a version. */
const toConfig = (v: TServiceVersion) => ({
  version_id: v.id, model_id: v.appId, model_name: v.appName, model_version: v.appVersion, weight: v.weight, specification: v.flavor, instance_count: v.instanceCount,
});

/** A summary lists its first version; a detail (with `versions`) lists them all. */
export const toService = (s: TServiceSummary & { versions?: TServiceVersion[] }, publicUrl: string) => ({
  service_id: s.id,
  service_name: s.name,
  status: s.status,
  description: s.description,
  infer_type: 'real-time' as const,
  access_address: `${s.websocket ? publicUrl.replace(/^http/, 'ws') : publicUrl}/v1/infers/${s.id}`,
  config: s.versions
    ? s.versions.map(toConfig)
    : [{ model_id: s.appId, model_name: s.appName, model_version: s.appVersion, weight: 100, specification: s.flavor, instance_count: s.instanceCount }],
  schedule: s.autoStop.enabled ? [{ type: 'stop' as const, time_unit: 'HOURS' as const, duration: s.autoStop.hours }] : [],
  ready_instance_count: s.readyInstances,
  pool_name: s.pool,
  create_at: s.createdAt,
  update_time: s.updatedAt,
});

const list = createRoute({
  method: 'get',
  path: '/v1/{project_id}/services',
  operationId: 'listServices',
  summary: 'List online services',
  tags: SERVICE_TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestServiceListSchema, 'The services of the project.'), ...errorResponses(401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/{project_id}/services',
  operationId: 'createService',
  summary: 'Deploy an AI-application version as an online service',
  description: 'Answers at once with status `deploying`; poll the service until `running` or `failed`.',
  tags: SERVICE_TAGS,
  request: { params: ZProjectParamsSchema, body: { required: true, content: { 'application/json': { schema: ZRestCreateServiceSchema } } } },
  responses: { 201: jsonResponse(ZRestCreatedServiceSchema, 'The service is recorded and deploying.'), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/{project_id}/services/{id}',
  operationId: 'getService',
  summary: 'One service with its instances and environment variables',
  tags: SERVICE_TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(ZRestServiceDetailSchema, 'The service.'), ...errorResponses(401, 403, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/{project_id}/services/{id}',
  operationId: 'deleteService',
  summary: 'Delete a service (its instances stop first)',
  tags: SERVICE_TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 204: { description: 'Deleted; the instances have stopped.' }, ...errorResponses(401, 403, 404, 409) },
});

const events = createRoute({
  method: 'get',
  path: '/v1/{project_id}/services/{id}/events',
  operationId: 'listServiceEvents',
  summary: 'Events of a service (guide §3.5 table 3-15)',
  tags: SERVICE_TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(ZRestEventListSchema, 'Newest first.'), ...errorResponses(401, 403, 404) },
});

const logs = createRoute({
  method: 'get',
  path: '/v1/{project_id}/services/{id}/logs',
  operationId: 'searchServiceLogs',
  summary: 'Search the instance logs of the last 5, 30 or 60 minutes',
  tags: SERVICE_TAGS,
  request: { params: ZResourceParamsSchema, query: ZRestLogQuerySchema },
  responses: { 200: jsonResponse(ZRestLogLinesSchema, 'The matching lines; `truncated` is true when the limit cut them.'), ...errorResponses(400, 401, 403, 404) },
});

/** Registers the service routes. */
export function registerServiceRoutes(app: TManagementApp): void {
  app.openapi(list, (c) => {
    const { core, identity, publicUrl } = c.var;
    return c.json({ services: core.services.list(identity.projectId).map((s) => toService(s, publicUrl)) }, 200);
  });

  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const { core, identity } = c.var;
    const [config, ...more] = b.config;
    const envs = envsOf(config.envs);
    const created = await inRestTerms(serviceFieldOf(envs.map((e) => e.key)), () =>
      core.services.create(identity.projectId, {
        name: b.service_name,
        description: b.description,
        appId: config.model_id,
        flavor: config.specification,
        instanceCount: config.instance_count,
        trafficWeight: config.weight,
        envs,
        deployTimeoutMinutes: b.deploy_timeout,
        pool: b.pool_name,
        autoStop: autoStopOf(b.schedule),
        qpsLimit: b.qps_limit,
        websocket: b.upgrade_to_websocket,
        appAuth: b.app_auth,
        authAppIds: b.app_ids,
        versions: more.map(versionOf),
      }, identity.userId),
    );
    return c.json({ service_id: created.id, service_name: created.name, status: created.status }, 201);
  });

  app.openapi(get, (c) => {
    const { core, identity, publicUrl } = c.var;
    const detail = core.services.get(identity.projectId, c.req.valid('param').id);
    return c.json({ ...toService(detail, publicUrl), instances: detail.instances, envs: detail.envs }, 200);
  });

  app.openapi(remove, async (c) => {
    const { core, identity } = c.var;
    await core.services.delete(identity.projectId, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(events, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.services.summary(identity.projectId, id);
    return c.json({ events: core.events.list('service', id) }, 200);
  });

  app.openapi(logs, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    const { minutes, keyword } = c.req.valid('query');
    core.services.summary(identity.projectId, id);
    const found = core.logs.query({ serviceId: id, range: { kind: 'last', minutes: Number(minutes) as 5 | 30 | 60 }, keyword });
    return c.json(found, 200);
  });
}
