/**
 * Permanent access keys in IAM's shape (`/v3.0/OS-CREDENTIAL/credentials`): a user creates, lists,
 * disables and deletes their own keys; the secret is in the create answer only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { TAccessKey } from '../../contracts/access';
import {
  ZRestCreateCredentialSchema,
  ZRestCreatedCredentialSchema,
  ZRestCredentialSchema,
  ZRestUpdateCredentialSchema,
} from '../../contracts/rest-access';
import { CoreError } from '../../core/errors';
import { errorResponses, inRestTerms, jsonResponse, type TManagementApp } from './route-kit';

const TAGS = ['Access keys'];
const BASE = '/v3.0/OS-CREDENTIAL/credentials';
const ZKeyParamsSchema = z.object({ access_key: z.string().min(1) });
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const iso = (ms: number) => new Date(ms).toISOString();

const toCredential = (k: TAccessKey, userId: string) => ({
  access: k.accessKey, status: k.status, user_id: userId, description: k.description, create_time: iso(k.createdAt),
  last_use_time: k.lastUsedAt === null ? null : iso(k.lastUsedAt),
});

/** A user manages only their own keys. */
function ownUser(callerId: string, userId: string | undefined): string {
  if (userId !== undefined && userId !== callerId) throw new CoreError('FORBIDDEN', 'A user can manage only their own access keys.', 'user_id');
  return callerId;
}

const create = createRoute({
  method: 'post', path: BASE, operationId: 'createCredential', summary: 'Create an access key (the secret is shown once)', tags: TAGS,
  request: json(ZRestCreateCredentialSchema),
  responses: { 201: jsonResponse(ZRestCreatedCredentialSchema, 'The key with its secret.'), ...errorResponses(400, 401, 403, 413, 415) },
});
const list = createRoute({
  method: 'get', path: BASE, operationId: 'listCredentials', summary: 'List my access keys', tags: TAGS,
  request: { query: z.object({ user_id: z.string().optional() }) },
  responses: { 200: jsonResponse(z.object({ credentials: z.array(ZRestCredentialSchema) }), 'The keys, without secrets.'), ...errorResponses(401, 403) },
});
const get = createRoute({
  method: 'get', path: `${BASE}/{access_key}`, operationId: 'getCredential', summary: 'One access key', tags: TAGS,
  request: { params: ZKeyParamsSchema },
  responses: { 200: jsonResponse(z.object({ credential: ZRestCredentialSchema }), 'The key, without its secret.'), ...errorResponses(401, 404) },
});
const update = createRoute({
  method: 'put', path: `${BASE}/{access_key}`, operationId: 'updateCredential', summary: 'Enable or disable an access key', tags: TAGS,
  request: { params: ZKeyParamsSchema, ...json(ZRestUpdateCredentialSchema) },
  responses: { 200: jsonResponse(z.object({ credential: ZRestCredentialSchema }), 'The key.'), ...errorResponses(400, 401, 404, 413, 415) },
});
const remove = createRoute({
  method: 'delete', path: `${BASE}/{access_key}`, operationId: 'deleteCredential', summary: 'Delete an access key', tags: TAGS,
  request: { params: ZKeyParamsSchema },
  responses: { 204: { description: 'Deleted; requests it signs are refused from now on.' }, ...errorResponses(401, 404) },
});

export function registerAccessKeyRoutes(app: TManagementApp): void {
  app.openapi(create, async (c) => {
    const { credential } = c.req.valid('json');
    const { identity, core } = c.var;
    const userId = ownUser(identity.userId, credential.user_id);
    const k = await inRestTerms((f) => `credential.${f}`, () => core.accessKeys.create({ id: userId, name: identity.userName }, credential.description ?? ''));
    const { last_use_time: _unused, ...shown } = toCredential(k, userId);
    return c.json({ credential: { ...shown, secret: k.secretKey } }, 201);
  });
  app.openapi(list, (c) => {
    const userId = ownUser(c.var.identity.userId, c.req.valid('query').user_id);
    return c.json({ credentials: c.var.core.accessKeys.list(userId).map((k) => toCredential(k, userId)) }, 200);
  });
  app.openapi(get, (c) => {
    const userId = c.var.identity.userId;
    const key = c.var.core.accessKeys.list(userId).find((k) => k.accessKey === c.req.valid('param').access_key);
    if (!key) throw new CoreError('NOT_FOUND', `Access key ${c.req.valid('param').access_key} does not exist.`);
    return c.json({ credential: toCredential(key, userId) }, 200);
  });
  app.openapi(update, (c) => {
    const userId = c.var.identity.userId;
    const key = c.var.core.accessKeys.setStatus(userId, c.req.valid('param').access_key, c.req.valid('json').credential.status);
    return c.json({ credential: toCredential(key, userId) }, 200);
  });
  app.openapi(remove, (c) => {
    c.var.core.accessKeys.remove(c.var.identity.userId, c.req.valid('param').access_key);
    return c.body(null, 204);
  });
}
