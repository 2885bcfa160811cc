/** `/v3/projects` and `/v3/users` over real HTTP: field errors in REST names, the administrator's limits, revocation, and the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let admin: string;
const call = (p: string, method = 'GET', body?: unknown, token = admin) =>
  fetch(`${anvil.url}${p}`, {
    method,
    headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const userToken = async (name: string, password: string, project: string) =>
  fetch(`${anvil.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name, password, domain: { name: 'anvil' } } } }, scope: { project: { name: project } } } }),
  });

beforeAll(async () => {
  anvil = await startTestAnvil();
  admin = (await getToken(anvil.url)).token;
});
afterAll(() => stopTestAnvil(anvil));

describe('users and projects over REST', () => {
  it('refuses bad bodies with the REST field and the console form message', async () => {
    expect(await (await call('/v3/projects', 'POST', { project: { name: 'Team B' } })).json()).toMatchObject({
      field: 'project.name',
      error_msg: 'Start with a lowercase letter; then lowercase letters, digits, "-" and "_".',
    });
    expect(await (await call('/v3/users', 'POST', { user: { name: 'bob', password: 'short', projects: ['default'] } })).json()).toMatchObject({
      field: 'user.password',
      error_msg: 'At least 8 characters.',
    });
    const noProject = await call('/v3/users', 'POST', { user: { name: 'bob', password: 'bob-password', projects: ['nope'] } });
    expect(noProject.status).toBe(400);
    expect(await noProject.json()).toMatchObject({ field: 'user.projects', error_msg: 'Project nope does not exist.' });
    expect((await call('/v3/projects', 'POST', { project: { name: 'default' } })).status).toBe(409);
    expect((await call('/v3/projects', 'POST', { project: { name: 'x', junk: 1 } })).status).toBe(400);
  });

  it('creates, lists, adds members, resets passwords and deletes users; never itself or the last administrator', async () => {
    const created = (await (await call('/v3/projects', 'POST', { project: { name: 'team-c' } })).json()) as { project: { id: string } };
    const carol = await call('/v3/users', 'POST', { user: { name: 'carol', password: 'carol-password', projects: ['default'] } });
    expect(carol.status).toBe(201);
    const { user } = (await carol.json()) as { user: { id: string } };
    const added = await call(`/v3/projects/${created.project.id}/users/${user.id}`, 'PUT');
    expect(await added.json()).toMatchObject({ user: { projects: [{ name: 'default' }, { name: 'team-c' }] } });
    const projects = (await (await call('/v3/projects')).json()) as { projects: { name: string; member_count: number }[] };
    expect(projects.projects).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'team-c', member_count: 1 })]));

    const carolToken = (await userToken('carol', 'carol-password', 'team-c')).headers.get('x-subject-token')!;
    expect((await call('/v3/users', 'GET', undefined, carolToken)).status).toBe(403);
    expect((await call(`/v3/users/${user.id}`, 'PATCH', { user: { password: 'new-carol-password' } })).status).toBe(200);
    expect((await call(`/v3/users/${user.id}`, 'GET', undefined, carolToken)).status).toBe(401);
    expect((await userToken('carol', 'carol-password', 'team-c')).status).toBe(401);
    expect((await userToken('carol', 'new-carol-password', 'team-c')).status).toBe(201);

    const users = (await (await call('/v3/users')).json()) as { users: { id: string; name: string }[] };
    const adminId = users.users.find((u) => u.name === 'admin')!.id;
    const self = await call(`/v3/users/${adminId}`, 'DELETE');
    expect(self.status).toBe(409);
    expect(await self.json()).toMatchObject({ error_msg: 'You cannot delete your own user.' });
    expect((await call(`/v3/users/${user.id}`, 'DELETE')).status).toBe(204);
    expect((await userToken('carol', 'new-carol-password', 'team-c')).status).toBe(401);
  });

  it('are in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${anvil.url}/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v3/projects', '/v3/users', '/v3/users/{user_id}', '/v3/projects/{project_id}/users/{user_id}']));
  });
});
