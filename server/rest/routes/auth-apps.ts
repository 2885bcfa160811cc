/** APP authentication (guide §3.1.4.2.3) under the project: apps, their secret and AppCodes, and the services they are bound to. */
import { createRoute, z } from '@hono/zod-openapi';
import type { TAuthApp } from '../../contracts/access';
import { ZRestAuthAppSchema, ZRestCreateAuthAppSchema } from '../../contracts/rest-access';
import { errorResponses, inRestTerms, jsonResponse, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['APP authentication'];
const BASE = '/v1/{project_id}/app-auth/apps';
const ZAppParamsSchema = ZProjectParamsSchema.extend({ app_id: z.string().min(1) });
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const appAnswer = (description: string) => jsonResponse(ZRestAuthAppSchema, description);

const toApp = (a: TAuthApp) => ({
  id: a.id, name: a.name, description: a.description, app_key: a.appKey, app_secret: a.appSecret,
  app_codes: a.codes.map((code) => ({ id: code.id, app_code: code.code, create_time: code.createdAt })),
  services: a.services, create_time: a.createdAt, update_time: a.updatedAt,
});

/** A route on one app that answers with the app. */
const route = <P extends z.ZodObject>(method: 'get' | 'post' | 'delete', path: string, operationId: string, summary: string, params: P) =>
  createRoute({
    method, path, operationId, summary, tags: TAGS, request: { params },
    responses: { 200: appAnswer('The app, with its secret, AppCodes and bound services.'), ...errorResponses(401, 403, 404) },
  });

const list = createRoute({
  method: 'get', path: BASE, operationId: 'listAuthApps', summary: 'List the project\'s apps', tags: TAGS, request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(z.object({ apps: z.array(ZRestAuthAppSchema) }), 'The apps.'), ...errorResponses(401, 403) },
});
const create = createRoute({
  method: 'post', path: BASE, operationId: 'createAuthApp', summary: 'Create an app (AppKey and AppSecret are generated)', tags: TAGS,
  request: { params: ZProjectParamsSchema, ...json(ZRestCreateAuthAppSchema) },
  responses: { 201: appAnswer('The app.'), ...errorResponses(400, 401, 403, 413, 415) },
});
const get = route('get', `${BASE}/{app_id}`, 'getAuthApp', 'One app', ZAppParamsSchema);
const remove = createRoute({
  method: 'delete', path: `${BASE}/{app_id}`, operationId: 'deleteAuthApp', summary: 'Delete an app (its calls are refused at once)', tags: TAGS,
  request: { params: ZAppParamsSchema }, responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) },
});
const resetSecret = route('post', `${BASE}/{app_id}/secret/reset`, 'resetAuthAppSecret', 'A new AppSecret', ZAppParamsSchema);
const addCode = createRoute({
  method: 'post', path: `${BASE}/{app_id}/app-codes`, operationId: 'addAppCode', summary: 'Add an AppCode (at most 5)', tags: TAGS,
  request: { params: ZAppParamsSchema }, responses: { 201: appAnswer('The app with the new AppCode.'), ...errorResponses(401, 403, 404) },
});
const deleteCode = route('delete', `${BASE}/{app_id}/app-codes/{code_id}`, 'deleteAppCode', 'Delete an AppCode', ZAppParamsSchema.extend({ code_id: z.string().min(1) }));
const ZBindParamsSchema = ZAppParamsSchema.extend({ service_id: z.string().min(1) });
const bind = route('post', `${BASE}/{app_id}/services/{service_id}`, 'bindAuthApp', 'Let the app call the service', ZBindParamsSchema);
const unbind = route('delete', `${BASE}/{app_id}/services/{service_id}`, 'unbindAuthApp', 'Stop the app calling the service', ZBindParamsSchema);

export function registerAuthAppRoutes(app: TManagementApp): void {
  const project = (c: { var: { identity: { projectId: string } } }) => c.var.identity.projectId;
  app.openapi(list, (c) => c.json({ apps: c.var.core.authApps.list(project(c)).map(toApp) }, 200));
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const created = await inRestTerms((f) => f, () => c.var.core.authApps.create(project(c), { name: body.name, description: body.description ?? '' }));
    return c.json(toApp(created), 201);
  });
  app.openapi(get, (c) => c.json(toApp(c.var.core.authApps.get(project(c), c.req.valid('param').app_id)), 200));
  app.openapi(remove, (c) => {
    c.var.core.authApps.remove(project(c), c.req.valid('param').app_id);
    return c.body(null, 204);
  });
  app.openapi(resetSecret, (c) => c.json(toApp(c.var.core.authApps.resetSecret(project(c), c.req.valid('param').app_id)), 200));
  app.openapi(addCode, (c) => c.json(toApp(c.var.core.authApps.addCode(project(c), c.req.valid('param').app_id)), 201));
  app.openapi(deleteCode, (c) => {
    const { app_id: appId, code_id: codeId } = c.req.valid('param');
    return c.json(toApp(c.var.core.authApps.removeCode(project(c), appId, codeId)), 200);
  });
  app.openapi(bind, (c) => {
    const { app_id: appId, service_id: serviceId } = c.req.valid('param');
    return c.json(toApp(c.var.core.authApps.bind(project(c), appId, serviceId)), 200);
  });
  app.openapi(unbind, (c) => {
    const { app_id: appId, service_id: serviceId } = c.req.valid('param');
    return c.json(toApp(c.var.core.authApps.unbind(project(c), appId, serviceId)), 200);
  });
}
