/** `POST /v1/{project_id}/models/image`: an AI-application version from a container image (guide §2.2.4). */
import { createRoute } from '@hono/zod-openapi';
import type { TCreateImageApp } from '../../contracts/apps';
import { PROBE_KINDS, type TProbes } from '../../contracts/probes';
import { restImageModelField, ZRestCreateImageModelSchema, type TRestCreateImageModel, type TRestProbe } from '../../contracts/rest-image-models';
import { ZRestCreatedModelSchema } from '../../contracts/rest-models';
import { errorResponses, inRestTerms, jsonResponse, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const create = createRoute({
  method: 'post',
  path: '/v1/{project_id}/models/image',
  operationId: 'createImageModel',
  summary: 'Create an AI-application version from an image in the project\'s repository',
  description:
    'Checks the body at once (400 naming the field; nothing is recorded), then looks the image up in the background: poll `model_status` (GET /v1/{project_id}/models/{id}) until `normal` or `failed`; the events say why.',
  tags: ['Models'],
  request: { params: ZProjectParamsSchema, body: { required: true, content: { 'application/json': { schema: ZRestCreateImageModelSchema } } } },
  responses: { 201: jsonResponse(ZRestCreatedModelSchema, 'The version is recorded and `building`.'), ...errorResponses(400, 401, 403, 409, 413, 415) },
});

const toProbe = (p: TRestProbe) => ({
  checkMethod: p.check_method,
  url: p.url,
  command: p.command,
  periodSeconds: p.period_seconds,
  initialDelaySeconds: p.initial_delay_seconds,
  timeoutSeconds: p.timeout_seconds,
  failureThreshold: p.failure_threshold,
});

/** The REST body in the console form's terms (`ZCreateImageAppSchema`). */
function toForm(b: TRestCreateImageModel): TCreateImageApp {
  const probes: TProbes = {};
  for (const kind of PROBE_KINDS) {
    const probe = b.health?.[kind];
    if (probe) probes[kind] = toProbe(probe);
  }
  return {
    name: b.model_name,
    version: b.model_version,
    description: b.description,
    image: b.image,
    protocol: b.protocol,
    port: b.port,
    startCommand: b.start_command,
    apis: b.apis && JSON.stringify(b.apis),
    probes,
    deployTypes: b.install_type?.map((t) => (t === 'real-time' ? 'online' : t)),
    requestMode: b.request_mode,
    docs: b.model_docs?.map((d) => ({ name: d.doc_name, url: d.doc_url })),
  };
}

/** Registers the route. */
export function registerImageModelRoutes(app: TManagementApp): void {
  app.openapi(create, async (c) => {
    const { core, identity } = c.var;
    const model = await inRestTerms(restImageModelField, () => core.registry.createFromImage(identity.projectId, toForm(c.req.valid('json'))));
    return c.json({ model_id: model.id, model_name: model.name, model_version: model.version, model_status: model.status }, 201);
  });
}
