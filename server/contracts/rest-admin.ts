/**
 * The REST spelling of users and projects (Keystone/IAM-style: `/v3/projects`, `/v3/users`,
 * bodies wrapped in `project` / `user`, snake_case). Fields reuse the console form's schemas, so
 * both doors refuse the same values with the same messages.
 */
import { z } from 'zod';
import { ZCreateUserSchema, ZPasswordSchema, ZProjectNameSchema } from './admin';

const ZRestProjectRefSchema = z.object({ id: z.string(), name: z.string() });

export const ZRestProjectSchema = z
  .object({ id: z.string(), name: z.string(), created_at: z.number(), member_count: z.number() })
  .meta({ id: 'Project' });
export const ZRestProjectListSchema = z.object({ projects: z.array(ZRestProjectSchema) }).meta({ id: 'ProjectList' });
export const ZRestProjectBodySchema = z.object({ project: ZRestProjectSchema }).meta({ id: 'ProjectBody' });
export const ZRestCreateProjectSchema = z
  .strictObject({ project: z.strictObject({ name: ZProjectNameSchema }) })
  .meta({ id: 'CreateProjectRequest' });

export const ZRestUserSchema = z
  .object({ id: z.string(), name: z.string(), is_admin: z.boolean(), created_at: z.number(), projects: z.array(ZRestProjectRefSchema) })
  .meta({ id: 'User' });
export const ZRestUserListSchema = z.object({ users: z.array(ZRestUserSchema) }).meta({ id: 'UserList' });
export const ZRestUserBodySchema = z.object({ user: ZRestUserSchema }).meta({ id: 'UserBody' });

const user = ZCreateUserSchema.shape;
export const ZRestCreateUserSchema = z
  .strictObject({
    user: z.strictObject({
      name: user.name,
      password: user.password,
      is_admin: z.boolean().optional().meta({ description: 'Administrators manage users and projects. Default false.' }),
      projects: user.projectIds.meta({ description: 'Project ids or names the user is a member of (at least one).' }),
    }),
  })
  .meta({ id: 'CreateUserRequest' });

export const ZRestUpdateUserSchema = z
  .strictObject({ user: z.strictObject({ password: ZPasswordSchema }) })
  .meta({ id: 'UpdateUserRequest', description: 'Resets the password; the user\'s tokens and sessions are revoked.' });

/** Where each field of the console's forms lives in the REST bodies, so core errors name the REST field. */
export const REST_PROJECT_FIELDS: Record<string, string> = { name: 'project.name' };
export const REST_USER_FIELDS: Record<string, string> = {
  name: 'user.name',
  password: 'user.password',
  isAdmin: 'user.is_admin',
  projectIds: 'user.projects',
  userId: 'user_id',
  projectId: 'project_id',
};
