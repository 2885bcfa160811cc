/**
 * The management REST API under `/v1/{project_id}/…`, served by Hono with `@hono/zod-openapi`: each
 * route declares its request and response schemas (from `server/contracts`), Hono validates them,
 * and `GET /v1/openapi.json` publishes the OpenAPI 3.1 document built from the same routes.
 *
 * To add a resource, write `routes/<resource>.ts` exporting a `TRouteFile` and list it in ROUTE_FILES.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { getRequestListener, RequestError } from '@hono/node-server';
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError, RateLimitedError } from '../core/errors';
import type { TIdentity } from '../core/iam/identity';
import { decodePathSegment, internalErrorBody, queryParams, requestIdOf, sendCaught, sendInternalError, STATUS } from './http-io';
import { registerAccessKeyRoutes } from './routes/access-keys';
import { registerAdminRoutes } from './routes/admin';
import { registerAuthAppRoutes } from './routes/auth-apps';
import { registerImageModelRoutes } from './routes/image-models';
import { registerImageRoutes } from './routes/images';
import { registerModelRoutes } from './routes/models';
import { registerMonitoringRoutes } from './routes/monitoring';
import { registerAlarmRoutes } from './routes/alarms';
import { registerCloudEyeRoutes } from './routes/cloud-eye';
import { registerTrainingJobRoutes } from './routes/training-jobs';
import { registerPoolRoutes } from './routes/pools';
import { limitBody, type TManagementApp, type TManagementEnv, type TRouteFile } from './routes/route-kit';
import { registerServiceLifecycleRoutes } from './routes/service-lifecycle';
import { registerServiceAccessRoutes } from './routes/service-access';
import { registerServiceRoutes } from './routes/services';

/** Every resource of the management API, one file each under routes/. */
const ROUTE_FILES: TRouteFile[] = [registerModelRoutes, registerImageModelRoutes, registerServiceRoutes, registerServiceLifecycleRoutes, registerAdminRoutes, registerImageRoutes, registerPoolRoutes,
  registerAccessKeyRoutes, registerAuthAppRoutes, registerServiceAccessRoutes, registerMonitoringRoutes, registerAlarmRoutes, registerCloudEyeRoutes, registerTrainingJobRoutes];

export const OPENAPI_PATH = '/v1/openapi.json';
const MAX_BODY_BYTES = 1024 * 1024;

export type TManagementDeps = {
  core: TAnvilCore;
  /** The caller of a request (token check); throws CoreError UNAUTHENTICATED. */
  identify: (req: http.IncomingMessage) => TIdentity;
  /** Where clients reach Anvil, for `access_address` (known once the server listens). */
  publicUrl: () => string;
};

/** One validation answer for every route: 400 with the field path and the console form's message. */
const validationHook: Hook<unknown, TManagementEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0]].join('.');
    return c.json({ error_code: STATUS.INVALID_ARGUMENT[1], error_msg: `Unknown field ${field}: Anvil refuses what it would ignore.`, field }, 400);
  }
  const field = path.join('.') || (result.target === 'json' ? 'body' : result.target);
  const given = valueAt((result as { data?: unknown }).data, path);
  const message = issue.code === 'invalid_type' && given === undefined && path.length > 0 ? `${field} is required.` : issue.message;
  return c.json({ error_code: STATUS.INVALID_ARGUMENT[1], error_msg: message, field }, 400);
};

function valueAt(data: unknown, path: string[]): unknown {
  let value = data;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** HTTP errors raised by Hono itself (bad JSON, wrong content type) in Anvil's error shape. */
const HONO_ERROR_CODES: Record<number, string> = { 400: STATUS.INVALID_ARGUMENT[1], 413: STATUS.PAYLOAD_TOO_LARGE[1], 415: 'ModelArts.0112' };
const HONO_ERROR_MESSAGES: Record<number, string> = {
  400: 'The request body is not valid JSON.',
  415: 'Send the body as JSON with Content-Type: application/json.',
};

/** Builds the management app: authentication and project check, the routes, the OpenAPI document, errors. */
export function createManagementApp(deps: TManagementDeps): TManagementApp {
  const app: TManagementApp = new OpenAPIHono<TManagementEnv>({ defaultHook: validationHook });

  // Project-scoped paths: Anvil's /v1/{project_id}/… and Cloud Eye's /V1.0/{project_id}/… (routes/cloud-eye.ts).
  const projectScoped: MiddlewareHandler<TManagementEnv> = async (c, next) => {
    c.set('core', deps.core);
    c.set('publicUrl', deps.publicUrl());
    if (c.req.path === OPENAPI_PATH) return next();
    const identity = deps.identify(c.env.incoming);
    const urlProject = decodePathSegment((c.env.incoming.url ?? '').split('?')[0].split('/')[2] ?? '');
    if (urlProject !== identity.projectId) throw new CoreError('FORBIDDEN', 'The token is scoped to another project than the one in the URL.');
    c.set('identity', identity);
    return next();
  };
  app.use('/v1/*', projectScoped);
  app.use('/V1.0/*', projectScoped);
  // Users and projects (/v3/projects, /v3/users; routes/admin.ts) belong to the domain: a token of any project, no project in the URL.
  app.use('/v3/*', async (c, next) => {
    c.set('core', deps.core);
    c.set('publicUrl', deps.publicUrl());
    c.set('identity', deps.identify(c.env.incoming));
    return next();
  });
  // IAM's access keys (/v3.0/OS-CREDENTIAL/…; routes/access-keys.ts) belong to the user, whatever the token's project.
  app.use('/v3.0/*', async (c, next) => {
    c.set('core', deps.core);
    c.set('publicUrl', deps.publicUrl());
    c.set('identity', deps.identify(c.env.incoming));
    return next();
  });
  app.use('/v1/*', limitBody(MAX_BODY_BYTES));
  app.use('/V1.0/*', limitBody(MAX_BODY_BYTES));
  app.use('/v3.0/*', limitBody(MAX_BODY_BYTES));

  for (const register of ROUTE_FILES) register(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'token', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-Token',
    description: 'A project-scoped token from POST /v3/auth/tokens (X-Subject-Token).',
  });
  app.doc31(OPENAPI_PATH, (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Anvil management API',
      version: '1',
      description: 'AI applications, online services, users and projects, ModelArts- and IAM-style. Errors are {error_code, error_msg, field?}; see docs/rest-api.md.',
    },
    servers: [{ url: c.var.publicUrl }],
    security: [{ token: [] }],
  }));

  app.notFound((c) => c.json({ error_code: STATUS.NOT_FOUND[1], error_msg: `No API ${c.req.method} ${c.req.path}.` }, 404));
  app.onError((e, c) => {
    if (e instanceof CoreError) {
      const [status, code] = STATUS[e.code];
      if (e instanceof RateLimitedError) c.header('retry-after', String(e.retryAfterSeconds));
      return c.json({ error_code: code, error_msg: e.message, ...(e.field ? { field: e.field } : {}) }, status as 400);
    }
    if (e instanceof HTTPException && e.status < 500) {
      const message = HONO_ERROR_MESSAGES[e.status] ?? e.message;
      return c.json({ error_code: HONO_ERROR_CODES[e.status] ?? STATUS.INVALID_ARGUMENT[1], error_msg: message }, e.status);
    }
    const id = requestIdOf(c.env.incoming);
    console.error(`[anvil] request ${id} (${c.req.method} ${c.req.path}) failed:`, e);
    return c.json(internalErrorBody(id), 500, { 'x-request-id': id });
  });
  return app;
}

/** The node:http handler of `/v1/…` (except /v1/infers, which the gateway serves directly). */
export function createManagementListener(deps: TManagementDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const listener = getRequestListener(createManagementApp(deps).fetch, {
    // Hono must not replace the process's global Request/Response (tests and the console share them).
    overrideGlobalObjects: false,
    hostname: 'localhost',
    errorHandler: (e) => {
      if (e instanceof RequestError) return Response.json({ error_code: STATUS.INVALID_ARGUMENT[1], error_msg: 'The request line or Host header is not valid.' }, { status: 400 });
      const id = randomUUID();
      console.error(`[anvil] request ${id} (management API) failed:`, e);
      return Response.json(internalErrorBody(id), { status: 500 });
    },
  });
  return (req, res) => {
    try {
      // Hono would decode a malformed escape leniently; Anvil answers 400 for every one.
      const url = req.url ?? '/';
      url.split('?')[0].split('/').forEach(decodePathSegment);
      queryParams(url);
    } catch (e) {
      return sendCaught(res, e);
    }
    listener(req, res).catch((e: unknown) => sendInternalError(req, res, e));
  };
}
