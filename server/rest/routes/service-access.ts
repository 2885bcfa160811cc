/**
 * How a service is reached: its access settings and token (the calling guide), its personalized
 * rules (guide §3.1.2), and the VPC direct-connection lookup (guide §3.1.4.3.2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { TServiceAccess } from '../../contracts/access';
import {
  ZRestEndpointsQuerySchema,
  ZRestEndpointsSchema,
  ZRestRulesSchema,
  ZRestServiceAccessSchema,
  ZRestUpdateServiceAccessSchema,
} from '../../contracts/rest-access';
import type { TServiceRule } from '../../contracts/service-rules';
import { EndpointLookupLimits } from '../../core/access/endpoint-lookup-limits';
import { CoreError } from '../../core/errors';
import { SERVICE_TAGS } from './services';
import { errorResponses, inRestTerms, jsonResponse, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const ZServiceParamsSchema = ZProjectParamsSchema.extend({ service_id: z.string().min(1) });
const BASE = '/v1/{project_id}/services/{service_id}';
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const toAccess = (a: TServiceAccess, publicUrl: string) => ({
  service_id: a.serviceId,
  access_address: `${a.websocket ? publicUrl.replace(/^http/, 'ws') : publicUrl}${a.path}`,
  app_auth: a.appAuth, qps_limit: a.qpsLimit, websocket: a.websocket, service_token: a.serviceToken,
  apps: a.apps.map((app) => ({ id: app.id, name: app.name, app_key: app.appKey })),
});
const toRestRule = (r: TServiceRule) => ({ condition: r.condition, version_id: r.versionId, header_name: r.headerName, header_value: r.headerValue });
/** Core fields (`rules.0.versionId`) in REST terms (`rules.0.version_id`). */
const ruleField = (f: string) => f.replace('versionId', 'version_id').replace('headerName', 'header_name').replace('headerValue', 'header_value');

const getAccess = createRoute({
  method: 'get', path: `${BASE}/access`, operationId: 'getServiceAccess', summary: 'Address, service token, APP authentication and traffic limit', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema },
  responses: { 200: jsonResponse(ZRestServiceAccessSchema, 'How to call the service.'), ...errorResponses(401, 403, 404) },
});
const updateAccess = createRoute({
  method: 'put', path: `${BASE}/access`, operationId: 'updateServiceAccess', summary: 'Turn APP authentication on or off; set or clear the traffic limit', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema, ...json(ZRestUpdateServiceAccessSchema) },
  responses: { 200: jsonResponse(ZRestServiceAccessSchema, 'The new settings (they apply to the next request).'), ...errorResponses(400, 401, 403, 404, 413, 415) },
});
const resetToken = createRoute({
  method: 'post', path: `${BASE}/token/reset`, operationId: 'resetServiceToken', summary: 'A new service token (the old one is refused at once)', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema },
  responses: { 200: jsonResponse(ZRestServiceAccessSchema, 'The settings with the new token.'), ...errorResponses(401, 403, 404) },
});
const getRules = createRoute({
  method: 'get', path: `${BASE}/rules`, operationId: 'getServiceRules', summary: 'Personalized configuration rules, highest priority first', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema },
  responses: { 200: jsonResponse(ZRestRulesSchema, 'The rules.'), ...errorResponses(401, 403, 404) },
});
const setRules = createRoute({
  method: 'put', path: `${BASE}/rules`, operationId: 'setServiceRules', summary: 'Replace the rules (at most 10; first match wins)', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema, ...json(ZRestRulesSchema) },
  responses: { 200: jsonResponse(ZRestRulesSchema, 'The rules as saved.'), ...errorResponses(400, 401, 403, 404, 413, 415) },
});
const endpoints = createRoute({
  method: 'get', path: `${BASE}/predict/endpoints`, operationId: 'getHostEndpoints',
  summary: 'The ready instances\' addresses for VPC direct calls (2000 lookups a minute per account, 20 per user)', tags: SERVICE_TAGS,
  request: { params: ZServiceParamsSchema, query: ZRestEndpointsQuerySchema },
  responses: { 200: jsonResponse(ZRestEndpointsSchema, 'Scheme, address and port of each ready instance.'), ...errorResponses(400, 401, 403, 404) },
});

export function registerServiceAccessRoutes(app: TManagementApp): void {
  const lookups = new EndpointLookupLimits();
  const ids = (c: { var: { identity: { projectId: string } }; req: { valid(t: 'param'): { service_id: string } } }) => ({
    projectId: c.var.identity.projectId, serviceId: c.req.valid('param').service_id,
  });

  app.openapi(getAccess, (c) => {
    const { projectId, serviceId } = ids(c);
    return c.json(toAccess(c.var.core.serviceAccess.get(projectId, serviceId), c.var.publicUrl), 200);
  });
  app.openapi(updateAccess, async (c) => {
    const { projectId, serviceId } = ids(c);
    const body = c.req.valid('json');
    const fieldOf = (f: string) => (f === 'appAuth' ? 'app_auth' : f === 'qpsLimit' ? 'qps_limit' : f);
    const updated = await inRestTerms(fieldOf, () => c.var.core.serviceAccess.update(projectId, { serviceId, appAuth: body.app_auth, qpsLimit: body.qps_limit }));
    return c.json(toAccess(updated, c.var.publicUrl), 200);
  });
  app.openapi(resetToken, (c) => {
    const { projectId, serviceId } = ids(c);
    return c.json(toAccess(c.var.core.serviceAccess.resetToken(projectId, serviceId), c.var.publicUrl), 200);
  });
  app.openapi(getRules, (c) => {
    const { projectId, serviceId } = ids(c);
    return c.json({ rules: c.var.core.serviceRules.get(projectId, serviceId).map(toRestRule) }, 200);
  });
  app.openapi(setRules, async (c) => {
    const { projectId, serviceId } = ids(c);
    const rules = c.req.valid('json').rules.map((r) => ({ condition: r.condition, versionId: r.version_id, headerName: r.header_name ?? '', headerValue: r.header_value ?? '' }));
    const saved = await inRestTerms(ruleField, () => c.var.core.serviceRules.set(projectId, { serviceId, rules }));
    return c.json({ rules: saved.map(toRestRule) }, 200);
  });
  app.openapi(endpoints, (c) => {
    const { projectId, serviceId } = ids(c);
    const { core, identity } = c.var;
    // The guide limits calls, not answers: a refused lookup counts too (and probing unknown ids costs the same).
    lookups.take({ domainId: identity.domainId, userId: identity.userId, isAdmin: core.directory.isAdmin(identity.userId) });
    // Every version counts: instances of a package-based version would otherwise be listed beside the image's.
    const notFromImage = core.services.get(projectId, serviceId).versions.find((v) => !core.registry.get(projectId, v.appId).container);
    if (notFromImage) {
      throw new CoreError('INVALID_ARGUMENT', `VPC direct connection is only for services of AI applications imported from a container image (guide §3.1.4.3.2); ${notFromImage.appName} ${notFromImage.appVersion} is not.`, 'service_id');
    }
    const ready = core.reconciler.endpoints(serviceId).map((e) => ({ schema: 'http', ip: e.host, port: e.port, instance_id: e.instanceId }));
    return c.json({ service_id: serviceId, endpoints: ready }, 200);
  });
}
