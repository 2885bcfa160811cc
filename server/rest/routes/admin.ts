/**
 * `/v3/projects`, `/v3/users`: users and projects, IAM/Keystone-style, for administrators only
 * (`users.is_admin`, checked on every request). The token may be scoped to any project: these
 * resources belong to the domain, not to a project.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { TProject, TUser } from '../../contracts/admin';
import {
  REST_PROJECT_FIELDS,
  REST_USER_FIELDS,
  ZRestCreateProjectSchema,
  ZRestCreateUserSchema,
  ZRestProjectBodySchema,
  ZRestProjectListSchema,
  ZRestUpdateUserSchema,
  ZRestUserBodySchema,
  ZRestUserListSchema,
} from '../../contracts/rest-admin';
import { STATUS } from '../http-io';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, type TManagementApp } from './route-kit';

const TAGS = ['Users and projects'];
const projectFieldOf = restFieldOf(REST_PROJECT_FIELDS);
const userFieldOf = restFieldOf(REST_USER_FIELDS);
const ZUserParamsSchema = z.object({ user_id: z.string().min(1) });
const ZMemberParamsSchema = z.object({ project_id: z.string().min(1), user_id: z.string().min(1) });
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const ADMIN_ERRORS = [401, 403] as const;
const MAX_BODY_BYTES = 64 * 1024;

const toProject = (p: TProject) => ({ id: p.id, name: p.name, created_at: p.createdAt, member_count: p.members });
const toUser = (u: TUser) => ({ id: u.id, name: u.name, is_admin: u.isAdmin, created_at: u.createdAt, projects: u.projects });

const listProjects = createRoute({
  method: 'get',
  path: '/v3/projects',
  operationId: 'listProjects',
  summary: 'List projects',
  tags: TAGS,
  responses: { 200: jsonResponse(ZRestProjectListSchema, 'Every project of the domain.'), ...errorResponses(...ADMIN_ERRORS) },
});

const createProject = createRoute({
  method: 'post',
  path: '/v3/projects',
  operationId: 'createProject',
  summary: 'Create a project',
  tags: TAGS,
  request: json(ZRestCreateProjectSchema),
  responses: { 201: jsonResponse(ZRestProjectBodySchema, 'The project, with no members yet.'), ...errorResponses(400, ...ADMIN_ERRORS, 409, 413, 415) },
});

const listUsers = createRoute({
  method: 'get',
  path: '/v3/users',
  operationId: 'listUsers',
  summary: 'List users with their projects',
  tags: TAGS,
  responses: { 200: jsonResponse(ZRestUserListSchema, 'Every user of the domain.'), ...errorResponses(...ADMIN_ERRORS) },
});

const createUser = createRoute({
  method: 'post',
  path: '/v3/users',
  operationId: 'createUser',
  summary: 'Create a user, a member of the given projects',
  tags: TAGS,
  request: json(ZRestCreateUserSchema),
  responses: { 201: jsonResponse(ZRestUserBodySchema, 'The user.'), ...errorResponses(400, ...ADMIN_ERRORS, 409, 413, 415) },
});

const updateUser = createRoute({
  method: 'patch',
  path: '/v3/users/{user_id}',
  operationId: 'resetUserPassword',
  summary: "Reset a user's password (revokes their tokens and sessions)",
  tags: TAGS,
  request: { params: ZUserParamsSchema, ...json(ZRestUpdateUserSchema) },
  responses: { 200: jsonResponse(ZRestUserBodySchema, 'The user.'), ...errorResponses(400, ...ADMIN_ERRORS, 404, 413, 415) },
});

const deleteUser = createRoute({
  method: 'delete',
  path: '/v3/users/{user_id}',
  operationId: 'deleteUser',
  summary: 'Delete a user (not yourself, not the last administrator)',
  tags: TAGS,
  request: { params: ZUserParamsSchema },
  responses: { 204: { description: 'Deleted; their tokens and sessions stop working.' }, ...errorResponses(...ADMIN_ERRORS, 404, 409) },
});

const addMember = createRoute({
  method: 'put',
  path: '/v3/projects/{project_id}/users/{user_id}',
  operationId: 'addProjectMember',
  summary: 'Make a user a member of a project',
  tags: TAGS,
  request: { params: ZMemberParamsSchema },
  responses: { 200: jsonResponse(ZRestUserBodySchema, 'The user with their projects.'), ...errorResponses(...ADMIN_ERRORS, 404) },
});

const removeMember = createRoute({
  method: 'delete',
  path: '/v3/projects/{project_id}/users/{user_id}',
  operationId: 'removeProjectMember',
  summary: 'Remove a user from a project (revokes their tokens and sessions for it)',
  tags: TAGS,
  request: { params: ZMemberParamsSchema },
  responses: { 200: jsonResponse(ZRestUserBodySchema, 'The user with their projects.'), ...errorResponses(...ADMIN_ERRORS, 404) },
});

/** Registers the user and project routes, behind the administrator check. */
export function registerAdminRoutes(app: TManagementApp): void {
  // A trailing `/*` also matches the bare path (`/v3/users`).
  for (const path of ['/v3/projects/*', '/v3/users/*']) {
    app.use(path, async (c, next) => {
      c.var.core.directory.requireAdmin(c.var.identity.userId);
      await next();
    });
    // Only administrators get this far, so a declared length is enough of a guard (Hono's bodyLimit
    // re-creates the Request, which fails under @hono/node-server without global overrides).
    app.use(path, async (c, next) => {
      if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES) {
        return c.json({ error_code: STATUS.PAYLOAD_TOO_LARGE[1], error_msg: `The request body is larger than ${MAX_BODY_BYTES} bytes.` }, 413);
      }
      await next();
    });
  }

  app.openapi(listProjects, (c) => c.json({ projects: c.var.core.directory.listProjects().map(toProject) }, 200));

  app.openapi(createProject, async (c) => {
    const { project } = c.req.valid('json');
    const created = await inRestTerms(projectFieldOf, () => c.var.core.directory.createProject(project));
    return c.json({ project: toProject(created) }, 201);
  });

  app.openapi(listUsers, (c) => c.json({ users: c.var.core.directory.listUsers().map(toUser) }, 200));

  app.openapi(createUser, async (c) => {
    const { user } = c.req.valid('json');
    const created = await inRestTerms(userFieldOf, () =>
      c.var.core.directory.createUser({ name: user.name, password: user.password, isAdmin: user.is_admin ?? false, projectIds: user.projects }),
    );
    return c.json({ user: toUser(created) }, 201);
  });

  app.openapi(updateUser, async (c) => {
    const { user_id: userId } = c.req.valid('param');
    const { directory } = c.var.core;
    await inRestTerms(userFieldOf, () => directory.resetPassword({ userId, password: c.req.valid('json').user.password }));
    return c.json({ user: toUser(directory.findUser(userId)!) }, 200);
  });

  app.openapi(deleteUser, (c) => {
    c.var.core.directory.deleteUser(c.var.identity.userId, c.req.valid('param').user_id);
    return c.body(null, 204);
  });

  app.openapi(addMember, (c) => {
    const { user_id: userId, project_id: projectId } = c.req.valid('param');
    return c.json({ user: toUser(c.var.core.directory.addMember({ userId, projectId })) }, 200);
  });

  app.openapi(removeMember, (c) => {
    const { user_id: userId, project_id: projectId } = c.req.valid('param');
    return c.json({ user: toUser(c.var.core.directory.removeMember({ userId, projectId })) }, 200);
  });
}
