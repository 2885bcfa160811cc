/** `/v1/{project_id}/images`: the project's image repository (SWR-style): repositories, tags, push credentials. */
import { createRoute } from '@hono/zod-openapi';
import type { TImageTag } from '../../contracts/images';
import { pushCommands } from '../../contracts/images';
import { ZRestErrorSchema } from '../../contracts/rest-errors';
import {
  ZRestDeletedTagsSchema,
  ZRestImageRepositoryListSchema,
  ZRestImageRepositoryParamSchema,
  ZRestImageTagListSchema,
  ZRestImageTagParamSchema,
  ZRestRegistryCredentialSchema,
} from '../../contracts/rest-images';
import type { TAnvilCore } from '../../core/anvil-core';
import type { TIdentity } from '../../core/iam/identity';
import { errorResponses, jsonResponse, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Image repository'];
const unavailable = { 503: jsonResponse(ZRestErrorSchema, 'The registry is not running (not installed, starting or down); error_msg says why.') };

const projectOf = (identity: TIdentity) => ({ id: identity.projectId, name: identity.projectName });
const toTag = (address: string, path: string) => (t: TImageTag) => ({ tag: t.tag, digest: t.digest, size: t.sizeBytes, created_at: t.createdAt, pushed_at: t.pushedAt, image: `${address}/${path}:${t.tag}` });
const toCredential = (core: TAnvilCore, identity: TIdentity, c: { username: string; password: string; createdAt: number }) => {
  const address = core.images.address();
  return { address, username: c.username, password: c.password, created_at: c.createdAt, login_command: pushCommands(address, c.username, identity.projectName).loginStdin };
};

const list = createRoute({
  method: 'get',
  path: '/v1/{project_id}/images',
  operationId: 'listImageRepositories',
  summary: 'List the repositories of the project with their tags',
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestImageRepositoryListSchema, 'Repositories under address/<project>/, each with its tags.'), ...errorResponses(401, 403), ...unavailable },
});

const tags = createRoute({
  method: 'get',
  path: '/v1/{project_id}/images/{repository}/tags',
  operationId: 'listImageTags',
  summary: 'List the tags of one repository',
  tags: TAGS,
  request: { params: ZRestImageRepositoryParamSchema },
  responses: { 200: jsonResponse(ZRestImageTagListSchema, 'The tags with digest, size and build time.'), ...errorResponses(400, 401, 403, 404), ...unavailable },
});

const credential = createRoute({
  method: 'get',
  path: '/v1/{project_id}/images/credentials',
  operationId: 'getRegistryCredential',
  summary: "The project's push credential (created on first request)",
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestRegistryCredentialSchema, 'User name, password and the docker login command.'), ...errorResponses(401, 403) },
});

const reset = createRoute({
  method: 'post',
  path: '/v1/{project_id}/images/credentials/reset',
  operationId: 'resetRegistryCredential',
  summary: "Give the project's push credential a new password (the old one stops working)",
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestRegistryCredentialSchema, 'The credential with its new password.'), ...errorResponses(401, 403) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/{project_id}/images/{repository}/tags/{tag}',
  operationId: 'deleteImageTag',
  summary: 'Delete a tag (its manifest: other tags naming the same manifest go with it)',
  tags: TAGS,
  request: { params: ZRestImageTagParamSchema },
  responses: { 200: jsonResponse(ZRestDeletedTagsSchema, 'The tags removed.'), ...errorResponses(400, 401, 403, 404), ...unavailable },
});

/** Registers the image-repository routes. */
export function registerImageRoutes(app: TManagementApp): void {
  app.openapi(list, async (c) => {
    const { core, identity } = c.var;
    const address = core.images.address();
    const repositories = await core.images.listRepositories(projectOf(identity));
    const name = (r: { name: string }) => `${identity.projectName}/${r.name}`;
    return c.json({ address, repositories: repositories.map((r) => ({ name: r.name, path: r.path, tags: r.tags.map(toTag(address, name(r))) })) }, 200);
  });

  app.openapi(tags, async (c) => {
    const { core, identity } = c.var;
    const { repository } = c.req.valid('param');
    const found = await core.images.listTags(projectOf(identity), repository);
    return c.json({ tags: found.map(toTag(core.images.address(), `${identity.projectName}/${repository}`)) }, 200);
  });

  app.openapi(credential, (c) => {
    const { core, identity } = c.var;
    return c.json(toCredential(core, identity, core.images.credential(projectOf(identity))), 200);
  });

  app.openapi(reset, (c) => {
    const { core, identity } = c.var;
    return c.json(toCredential(core, identity, core.images.resetCredential(projectOf(identity))), 200);
  });

  app.openapi(remove, async (c) => {
    const { core, identity } = c.var;
    const { repository, tag } = c.req.valid('param');
    const { removedTags } = await core.images.deleteTag(projectOf(identity), repository, tag);
    return c.json({ removed_tags: removedTags }, 200);
  });
}
