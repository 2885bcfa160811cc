/** `/v1/{project_id}/models`: AI-application versions (ModelArts "models"), one entry per version. */
import { createRoute, z } from '@hono/zod-openapi';
import type { TAppSummary } from '../../contracts/apps';
import { ZDescriptionSchema } from '../../contracts/names';
import { invalid } from '../../core/errors';
import {
  REST_MODEL_FIELDS,
  ZRestCreatedModelSchema,
  ZRestCreateModelSchema,
  ZRestEventListSchema,
  ZRestModelDetailSchema,
  ZRestModelListSchema,
} from '../../contracts/rest-models';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, ZResourceParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Models'];
const fieldOf = restFieldOf(REST_MODEL_FIELDS);

const toModel = (a: TAppSummary) => ({
  model_id: a.id,
  model_name: a.name,
  model_version: a.version,
  model_status: a.status,
  model_type: a.modelType,
  runtime: a.runtime,
  source_location: a.sourceUri,
  description: a.description,
  model_size: a.sizeBytes,
  install_type: a.deployTypes.map((t) => (t === 'online' ? 'real-time' : t)),
  request_mode: a.requestMode,
  create_at: a.createdAt,
});

const list = createRoute({
  method: 'get',
  path: '/v1/{project_id}/models',
  operationId: 'listModels',
  summary: 'List AI-application versions',
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestModelListSchema, 'Every version of every AI application of the project.'), ...errorResponses(401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/{project_id}/models',
  operationId: 'createModel',
  summary: 'Import an AI-application version from object storage',
  description: 'Checks the package at once (field errors), then imports in the background: poll `model_status` until `normal` or `failed`.',
  tags: TAGS,
  request: { params: ZProjectParamsSchema, body: { required: true, content: { 'application/json': { schema: ZRestCreateModelSchema } } } },
  responses: { 201: jsonResponse(ZRestCreatedModelSchema, 'The version is recorded and `building`.'), ...errorResponses(400, 401, 403, 409, 413, 415) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/{project_id}/models/{id}',
  operationId: 'getModel',
  summary: 'One AI-application version with its APIs and metrics',
  tags: TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(ZRestModelDetailSchema, 'The version.'), ...errorResponses(401, 403, 404) },
});

/** ModelArts' `cascade`: also delete the other versions of the same application. */
const ZDeleteModelQuerySchema = z.object({
  cascade: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true` deletes every version of the application (refused while any has a service, 409 naming them); default `false`, this version only.' }),
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/{project_id}/models/{id}',
  operationId: 'deleteModel',
  summary: 'Delete one AI-application version, or with cascade=true the whole application',
  tags: TAGS,
  request: { params: ZResourceParamsSchema, query: ZDeleteModelQuerySchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404, 409) },
});

const ZUpdateModelSchema = z
  .object({
    description: z.string().optional(),
    model_docs: z.array(z.object({ doc_name: z.string(), doc_url: z.string() })).optional().meta({ description: 'Replaces the documentation links (at most 3, http(s)).' }),
    metrics: z
      .object({ f1: z.string().optional(), recall: z.string().optional(), precision: z.string().optional(), accuracy: z.string().optional() })
      .optional()
      .meta({ description: 'Model precision as text, kept to 17 decimal places; an empty string removes a value.' }),
  })
  .meta({ id: 'UpdateModel' });

const update = createRoute({
  method: 'put',
  path: '/v1/{project_id}/models/{id}',
  operationId: 'updateModel',
  summary: "Edit a version's description, documentation links and model precision (guide §2.4)",
  tags: TAGS,
  request: { params: ZResourceParamsSchema, body: { content: { 'application/json': { schema: ZUpdateModelSchema } }, required: true } },
  responses: { 200: jsonResponse(ZRestModelDetailSchema, 'The version.'), ...errorResponses(400, 401, 403, 404, 409) },
});

const batchDelete = createRoute({
  method: 'post',
  path: '/v1/{project_id}/models/batch-delete',
  operationId: 'batchDeleteModels',
  summary: 'Delete several AI applications with all their versions, or none when one of them has a service',
  tags: TAGS,
  request: { params: ZProjectParamsSchema, body: { content: { 'application/json': { schema: z.object({ model_names: z.array(z.string().min(1)).min(1).max(100) }).meta({ id: 'BatchDeleteModels' }) } }, required: true } },
  responses: { 200: jsonResponse(z.object({ deleted: z.array(z.string()) }), 'The applications deleted.'), ...errorResponses(400, 401, 403, 404, 409) },
});

const events = createRoute({
  method: 'get',
  path: '/v1/{project_id}/models/{id}/events',
  operationId: 'listModelEvents',
  summary: 'Events of an AI-application version (guide §2.6)',
  tags: TAGS,
  request: { params: ZResourceParamsSchema },
  responses: { 200: jsonResponse(ZRestEventListSchema, 'Newest first.'), ...errorResponses(401, 403, 404) },
});

/** Registers the model routes. */
export function registerModelRoutes(app: TManagementApp): void {
  app.openapi(list, (c) => {
    const { core, identity } = c.var;
    return c.json({ models: core.registry.list(identity.projectId).flatMap((g) => g.versions.map(toModel)) }, 200);
  });

  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const { core, identity } = c.var;
    const app = await inRestTerms(fieldOf, () =>
      core.registry.create(identity.projectId, {
        name: b.model_name,
        version: b.model_version,
        description: b.description,
        sourceUri: b.source_location,
        runtime: b.runtime,
        deployTypes: b.install_type?.map((t) => (t === 'real-time' ? 'online' : t)),
        requestMode: b.request_mode,
        docs: b.model_docs?.map((d) => ({ name: d.doc_name, url: d.doc_url })),
      }),
    );
    return c.json({ model_id: app.id, model_name: app.name, model_version: app.version, model_status: app.status }, 201);
  });

  app.openapi(get, (c) => {
    const { core, identity } = c.var;
    const app = core.registry.get(identity.projectId, c.req.valid('param').id);
    return c.json({ ...toModel(app), apis: app.apis, metrics: app.metrics }, 200);
  });

  app.openapi(remove, async (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    if (c.req.valid('query').cascade === 'true') core.registry.deleteApp(identity.projectId, core.registry.summary(identity.projectId, id).name);
    else core.registry.delete(identity.projectId, id);
    return c.body(null, 204);
  });

  app.openapi(update, async (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    await inRestTerms(restFieldOf({ docs: 'model_docs' }), () => {
      // All or nothing: the description is checked before the links and precision are written.
      const description = b.description === undefined ? undefined : ZDescriptionSchema.safeParse(b.description);
      if (description && !description.success) throw invalid('description', description.error.issues[0].message);
      if (b.model_docs !== undefined || b.metrics !== undefined) {
        core.registry.updateDetails(identity.projectId, id, { docs: b.model_docs?.map((d) => ({ name: d.doc_name, url: d.doc_url })), metrics: b.metrics });
      }
      if (description) core.registry.updateDescription(identity.projectId, id, description.data);
    });
    const app = core.registry.get(identity.projectId, id);
    return c.json({ ...toModel(app), apis: app.apis, metrics: app.metrics }, 200);
  });

  app.openapi(batchDelete, (c) => {
    const { core, identity } = c.var;
    return c.json(core.registry.deleteApps(identity.projectId, c.req.valid('json').model_names), 200);
  });

  app.openapi(events, (c) => {
    const { core, identity } = c.var;
    const { id } = c.req.valid('param');
    core.registry.summary(identity.projectId, id);
    return c.json({ events: core.events.list('app', id) }, 200);
  });
}
