/**
 * Service lifecycle over REST (guide §3.4): `POST …/services/{id}/start|stop|restart`, and ModelArts'
 * `PUT …/services/{id}` with `status`, `schedule` and/or `description`. The core's transition table
 * decides what is allowed; a refused operation answers 409 with the reason.
 */
import { createRoute } from '@hono/zod-openapi';
import { REST_SERVICE_FIELDS, ZRestServiceSchema, ZRestUpdateServiceSchema } from '../../contracts/rest-services';
import { checkOperation, type TServiceOperation } from '../../contracts/service-lifecycle';
import { CoreError } from '../../core/errors';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZResourceParamsSchema, type TManagementApp } from './route-kit';
import { autoStopOf, SERVICE_TAGS, toService, versionOf } from './services';

const fieldOf = (field: string) => (field.startsWith('autoStop') ? 'schedule.0.duration' : restFieldOf(REST_SERVICE_FIELDS)(field));

const OPERATIONS = {
  start: 'Start a stopped or failed service (events S11, then S25 or S26).',
  stop: 'Stop a service: its instances leave routing, finish the requests they accepted, then end (S12, S13).',
  restart: 'Restart a running or concerning service: a drained stop, then a start.',
} as const satisfies Partial<Record<TServiceOperation, string>>;

const operationRoute = (operation: keyof typeof OPERATIONS) =>
  createRoute({
    method: 'post',
    path: `/v1/{project_id}/services/{id}/${operation}`,
    operationId: `${operation}Service`,
    summary: OPERATIONS[operation],
    tags: SERVICE_TAGS,
    request: { params: ZResourceParamsSchema },
    responses: { 200: jsonResponse(ZRestServiceSchema, 'The service after the operation began (start) or ended (stop).'), ...errorResponses(401, 403, 404, 409) },
  });

const update = createRoute({
  method: 'put',
  path: '/v1/{project_id}/services/{id}',
  operationId: 'updateService',
  summary: 'Start or stop a service, change its auto-stop or its description (ModelArts)',
  description: '`status: "running"` starts and `"stopped"` stops the service; `schedule` sets auto-stop ([] switches it off). Nothing changes when the status change is refused.',
  tags: SERVICE_TAGS,
  request: { params: ZResourceParamsSchema, body: { required: true, content: { 'application/json': { schema: ZRestUpdateServiceSchema } } } },
  responses: { 200: jsonResponse(ZRestServiceSchema, 'The service.'), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
});

/** Registers start/stop/restart and the ModelArts update. */
export function registerServiceLifecycleRoutes(app: TManagementApp): void {
  for (const operation of ['start', 'stop', 'restart'] as const) {
    app.openapi(operationRoute(operation), async (c) => {
      const { core, identity, publicUrl } = c.var;
      const service = await core.services[operation](identity.projectId, c.req.valid('param').id);
      return c.json(toService(service, publicUrl), 200);
    });
  }

  app.openapi(update, async (c) => {
    const { core, identity, publicUrl } = c.var;
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const p = identity.projectId;
    const operation = b.status === 'running' ? 'start' : b.status === 'stopped' ? 'stop' : undefined;
    // Refuse before changing anything, so a refused status change leaves the service as it was.
    if (operation) {
      const check = checkOperation(core.services.summary(p, id).status, operation);
      if (!check.isAllowed) throw new CoreError('FAILED_PRECONDITION', check.reason, 'status');
    }
    if (b.config) {
      const versions = b.config.map(versionOf);
      await inRestTerms((f) => f.replace(/^versions/, 'config').replace('appId', 'model_id').replace('flavor', 'specification').replace('instanceCount', 'instance_count'), () =>
        core.services.setVersions(p, { serviceId: id, versions }),
      );
    }
    let service = await inRestTerms(fieldOf, () => {
      if (b.description !== undefined) core.services.updateDescription(p, id, b.description);
      const autoStop = autoStopOf(b.schedule);
      return autoStop ? core.services.setAutoStop(p, id, autoStop) : core.services.summary(p, id);
    });
    if (operation) service = await core.services[operation](p, id);
    return c.json(toService({ ...service, versions: core.services.get(p, id).versions }, publicUrl), 200);
  });
}
