/** The REST doors to gateway credentials over real HTTP: access keys, APP-authentication apps, service access, rules, VPC endpoints. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';
import { deployExample } from '../test-support/deploy-example';

type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let anvil: TTestAnvil;
let token: string;
let projectId: string;
let userId: string;
let serviceId: string;
/** A second project the admin belongs to, with its own token. */
let other: { id: string; token: string };
/** A member of the first project who is not an administrator. */
let member: { id: string; token: string };

const KEYS = '/v3.0/OS-CREDENTIAL/credentials';

const call = async (path: string, method = 'GET', body?: unknown, as: string | null = token) => {
  const res = await fetch(`${anvil.url}${path}`, {
    method,
    headers: { ...(as === null ? {} : { 'x-auth-token': as }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => ({}))) as TBody };
};

/** A token of a user other than admin, by name and password, over the public API. */
async function passwordToken(name: string, password: string, project: string): Promise<string> {
  const res = await fetch(`${anvil.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name, password, domain: { name: 'anvil' } } } }, scope: { project: { name: project } } } }),
  });
  if (res.status !== 201) throw new Error(`token for ${name}: ${res.status} ${await res.text()}`);
  return res.headers.get('x-subject-token')!;
}

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
  const who = anvil.core.credentials.check(token, 'api');
  if (!('identity' in who)) throw new Error('token');
  userId = who.identity.userId;
  const otherProject = anvil.core.directory.createProject({ name: 'access-other' });
  anvil.core.directory.addMember({ userId, projectId: otherProject.id });
  other = { id: otherProject.id, token: (await getToken(anvil.url, { name: 'access-other' })).token };
  const memberUser = await anvil.core.directory.createUser({ name: 'access-member', password: 'member-pass-1', projectIds: [projectId] });
  member = { id: memberUser.id, token: await passwordToken('access-member', 'member-pass-1', 'default') };
  serviceId = await deployExample(anvil.url, { token, projectId }, 'iris');
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('access keys: /v3.0/OS-CREDENTIAL/credentials', () => {
  it('creates a key whose secret appears only in the create answer; gets, lists, disables, enables, deletes', async () => {
    const before = Date.now();
    const created = await call(KEYS, 'POST', { credential: { user_id: userId, description: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.body.credential).toEqual({
      access: expect.stringMatching(/^[A-Z0-9]{20}$/), secret: expect.stringMatching(/^[A-Za-z0-9]{40}$/), status: 'active', user_id: userId, description: 'ci',
      create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Date.parse(created.body.credential.create_time)).toBeGreaterThanOrEqual(before - 1000);
    const { access: ak, secret } = created.body.credential as { access: string; secret: string };

    const listed = await call(`${KEYS}?user_id=${userId}`);
    expect(listed.body.credentials).toEqual([{ access: ak, status: 'active', user_id: userId, description: 'ci', create_time: created.body.credential.create_time, last_use_time: null }]);
    const got = await call(`${KEYS}/${ak}`);
    expect(got.body.credential).toEqual(listed.body.credentials[0]);
    for (const answer of [listed, got]) expect(JSON.stringify(answer.body)).not.toContain(secret);

    expect((await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'inactive' } })).body.credential).toMatchObject({ access: ak, status: 'inactive' });
    expect((await call(`${KEYS}/${ak}`)).body.credential.status).toBe('inactive');
    const enabled = await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'active' } });
    expect(enabled.status).toBe(200);
    expect(enabled.body.credential.status).toBe('active');
    expect(JSON.stringify(enabled.body)).not.toContain(secret);

    expect((await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'paused' } })).body).toMatchObject({ error_code: 'ModelArts.0101', field: 'credential.status' });
    // The core changes only the status; a description in the update is refused rather than ignored.
    expect((await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'active', description: 'x' } })).body).toMatchObject({ field: 'credential.description' });
    expect((await call(KEYS, 'POST', { credential: { description: 'no user' } })).body).toMatchObject({ field: 'credential.user_id' });

    expect((await call(`${KEYS}/${ak}`, 'DELETE')).status).toBe(204);
    for (const method of ['GET', 'DELETE']) expect((await call(`${KEYS}/${ak}`, method)).body).toMatchObject({ error_code: 'ModelArts.0102' });
    expect((await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'active' } })).status).toBe(404);
    expect((await call(KEYS)).body.credentials).toEqual([]);
  });

  it('refuses a third key with the quota error', async () => {
    for (let i = 0; i < 2; i++) expect((await call(KEYS, 'POST', { credential: { user_id: userId } })).status).toBe(201);
    const third = await call(KEYS, 'POST', { credential: { user_id: userId } });
    expect(third).toMatchObject({ status: 403, body: { error_code: 'ModelArts.0108', error_msg: expect.stringContaining('at most 2') } });
    expect((await call(KEYS)).body.credentials).toHaveLength(2);
  });

  it('lets a user manage only their own keys, whatever their project', async () => {
    const theirs = await call(KEYS, 'POST', { credential: { user_id: member.id } }, member.token);
    expect(theirs.status).toBe(201);
    const ak = theirs.body.credential.access as string;
    // Another user's id is forbidden, even to an administrator; their key looks like a missing one.
    expect((await call(KEYS, 'POST', { credential: { user_id: member.id } })).body).toMatchObject({ error_code: 'ModelArts.0106', field: 'user_id' });
    expect((await call(`${KEYS}?user_id=${member.id}`)).status).toBe(403);
    expect((await call(`${KEYS}/${ak}`)).status).toBe(404);
    expect((await call(`${KEYS}/${ak}`, 'PUT', { credential: { status: 'inactive' } })).status).toBe(404);
    expect((await call(`${KEYS}/${ak}`, 'DELETE')).status).toBe(404);
    expect((await call(`${KEYS}/${ak}`, 'GET', undefined, member.token)).body.credential.status).toBe('active');
    expect((await call(KEYS, 'GET', undefined, member.token)).body.credentials.map((k: TBody) => k.access)).toEqual([ak]);
    // A token of another project reaches the same user's keys.
    expect((await call(KEYS, 'GET', undefined, other.token)).body.credentials).toHaveLength(2);
  });

  it('answers bad bodies and paths with 4xx in the error shape', async () => {
    const send = (p: string, body: string, type: string) => fetch(`${anvil.url}${p}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': type }, body });
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error_code: code, error_msg: expect.any(String) });
    };
    await expectError(await send(KEYS, '{"credential":', 'application/json'), 400, 'ModelArts.0101');
    await expectError(await send(KEYS, 'credential', 'text/plain'), 415, 'ModelArts.0112');
    // On its own connection: the 413 comes before the body is read, and that socket is then unusable.
    const tooLarge = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = http.request(`${anvil.url}${KEYS}`, { method: 'POST', agent: false, headers: { 'x-auth-token': token, 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString())).on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject).end(Buffer.alloc(1024 * 1024 + 1, 32));
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error_code: 'ModelArts.0107' });
    await expectError(await fetch(`${anvil.url}${KEYS}/%E0`, { headers: { 'x-auth-token': token } }), 400, 'ModelArts.0101');
    expect((await call(KEYS, 'POST', { credential: { user_id: userId }, extra: 1 })).body).toMatchObject({ field: 'extra' });
  });

  it('answers 401 without a valid token', async () => {
    expect((await call(KEYS, 'GET', undefined, null)).body).toMatchObject({ error_code: 'ModelArts.0105' });
    expect((await call(KEYS, 'POST', { credential: { user_id: userId } }, 'not-a-token')).status).toBe(401);
    expect((await call(`${KEYS}/AKIAANYTHING`, 'DELETE', undefined, null)).status).toBe(401);
  });
});

describe('APP authentication apps', () => {
  const base = (project = projectId) => `/v1/${project}/app-auth/apps`;
  it('creates an app with generated keys, resets its secret, adds up to five AppCodes, binds and unbinds a service', async () => {
    const created = await call(base(), 'POST', { name: 'app_rest', description: 'for tests' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String), name: 'app_rest', description: 'for tests', app_key: expect.stringMatching(/^[0-9a-f]{32}$/), app_secret: expect.any(String),
      app_codes: [], services: [], create_time: expect.any(Number), update_time: expect.any(Number),
    });
    const id = created.body.id as string;
    expect((await call(base(), 'POST', { name: 'app_rest' })).body).toMatchObject({ error_code: 'ModelArts.0101', field: 'name', error_msg: expect.stringContaining('already exists') });
    expect((await call(base(), 'POST', { name: '1bad' })).body).toMatchObject({ field: 'name' });
    expect((await call(base())).body.apps.map((a: TBody) => a.id)).toEqual([id]);

    const reset = await call(`${base()}/${id}/secret/reset`, 'POST');
    expect(reset.status).toBe(200);
    expect(reset.body.app_secret).not.toBe(created.body.app_secret);
    expect(reset.body.app_key).toBe(created.body.app_key);
    expect((await call(`${base()}/${id}`)).body.app_secret).toBe(reset.body.app_secret);

    for (let i = 1; i <= 5; i++) {
      const added = await call(`${base()}/${id}/app-codes`, 'POST');
      expect(added.status).toBe(201);
      expect(added.body.app_codes).toHaveLength(i);
    }
    expect((await call(`${base()}/${id}/app-codes`, 'POST')).body).toMatchObject({ error_code: 'ModelArts.0108', error_msg: expect.stringContaining('at most 5') });
    const codes = (await call(`${base()}/${id}`)).body.app_codes as { id: string; app_code: string }[];
    const afterDelete = await call(`${base()}/${id}/app-codes/${codes[0].id}`, 'DELETE');
    expect(afterDelete.body.app_codes.map((c: TBody) => c.id)).toEqual(codes.slice(1).map((c) => c.id));
    expect((await call(`${base()}/${id}/app-codes/${codes[0].id}`, 'DELETE')).status).toBe(404);

    expect((await call(`${base()}/${id}/services/${serviceId}`, 'POST')).body.services).toEqual([{ id: serviceId, name: 'iris-svc' }]);
    expect((await call(`/v1/${projectId}/services/${serviceId}/access`)).body.apps).toEqual([{ id, name: 'app_rest', app_key: created.body.app_key }]);
    expect((await call(`${base()}/${id}/services/${serviceId}`, 'DELETE')).body.services).toEqual([]);
    expect((await call(`/v1/${projectId}/services/${serviceId}/access`)).body.apps).toEqual([]);
    expect((await call(`${base()}/${id}/services/${serviceId}`, 'DELETE')).status).toBe(404);
    expect((await call(`${base()}/${id}/services/nope`, 'POST')).status).toBe(404);
    expect((await call(`${base()}/${id}`, 'DELETE')).status).toBe(204);
    expect((await call(`${base()}/${id}`)).status).toBe(404);
  });

  it('keeps apps and services within their project', async () => {
    const app = (await call(base(), 'POST', { name: 'app_private' })).body;
    const theirs = (await call(base(other.id), 'POST', { name: 'app_theirs' }, other.token)).body;
    expect(theirs.id).toEqual(expect.any(String));
    // The other project sees neither the app nor the service.
    expect((await call(`${base(other.id)}/${app.id}`, 'GET', undefined, other.token)).status).toBe(404);
    expect((await call(`${base(other.id)}/${app.id}/secret/reset`, 'POST', undefined, other.token)).status).toBe(404);
    expect((await call(`${base(other.id)}/${app.id}`, 'DELETE', undefined, other.token)).status).toBe(404);
    expect((await call(base(other.id), 'GET', undefined, other.token)).body.apps.map((a: TBody) => a.name)).toEqual(['app_theirs']);
    expect((await call(`${base(other.id)}/${theirs.id}/services/${serviceId}`, 'POST', undefined, other.token)).status).toBe(404);
    expect((await call(`${base()}/${app.id}/services/${serviceId}`, 'POST')).status).toBe(200);
    // A token of one project on the other's URL.
    expect((await call(base(), 'GET', undefined, other.token)).body).toMatchObject({ error_code: 'ModelArts.0106' });
    expect((await call(`${base()}/${app.id}`)).body.id).toBe(app.id);
  });

  it('answers 401 without a token', async () => {
    expect((await call(base(), 'GET', undefined, null)).status).toBe(401);
    expect((await call(base(), 'POST', { name: 'app_anon' }, null)).status).toBe(401);
  });
});

describe('service access, rules and VPC endpoints', () => {
  const svc = (project = projectId) => `/v1/${project}/services/${serviceId}`;
  it('shows the address and token, sets APP auth and the traffic limit, resets the token', async () => {
    const access = (await call(`${svc()}/access`)).body;
    expect(access).toEqual({
      service_id: serviceId, access_address: `${anvil.url}/v1/infers/${serviceId}`, app_auth: false, qps_limit: null, websocket: false,
      service_token: expect.any(String), apps: expect.any(Array),
    });
    const updated = (await call(`${svc()}/access`, 'PUT', { app_auth: true, qps_limit: 100 })).body;
    expect(updated).toMatchObject({ app_auth: true, qps_limit: 100 });
    expect((await call(`${svc()}/access`)).body).toMatchObject({ app_auth: true, qps_limit: 100 });
    expect((await call(`${svc()}/access`, 'PUT', { qps_limit: 50 })).body).toMatchObject({ app_auth: true, qps_limit: 50 });
    for (const bad of [0, 100_001, 1.5, '10']) expect((await call(`${svc()}/access`, 'PUT', { qps_limit: bad })).body).toMatchObject({ error_code: 'ModelArts.0101', field: 'qps_limit' });
    expect((await call(`${svc()}/access`, 'PUT', { app_auth: 'yes' })).body).toMatchObject({ field: 'app_auth' });
    expect((await call(`${svc()}/access`, 'PUT', { qpsLimit: 5 })).body).toMatchObject({ field: 'qpsLimit' });
    expect((await call(`${svc()}/access`, 'PUT', {})).status).toBe(400);
    expect((await call(`${svc()}/access`, 'PUT', { qps_limit: null, app_auth: false })).body).toMatchObject({ qps_limit: null, app_auth: false });

    const reset = (await call(`${svc()}/token/reset`, 'POST')).body;
    expect(reset.service_token).toEqual(expect.any(String));
    expect(reset.service_token).not.toBe(access.service_token);
    expect((await call(`${svc()}/access`)).body.service_token).toBe(reset.service_token);
    const predict = (bearer: string) =>
      fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}' });
    expect((await predict(access.service_token)).status).toBe(401);
    expect((await predict(reset.service_token)).status).not.toBe(401);
  });

  it('keeps a service\'s access to its project and refuses no token', async () => {
    for (const [path, method, body] of [['access', 'GET'], ['access', 'PUT', { app_auth: true }], ['token/reset', 'POST'], ['predict/endpoints?type=host_endpoints', 'GET']] as const) {
      expect((await call(`${svc(other.id)}/${path}`, method, body, other.token)).body, path).toMatchObject({ error_code: 'ModelArts.0102' });
      expect((await call(`${svc()}/${path}`, method, body, other.token)).status, path).toBe(403);
      expect((await call(`${svc()}/${path}`, method, body, null)).status, path).toBe(401);
    }
    expect((await call(`${svc()}/access`)).body.app_auth).toBe(false);
  });

  it('saves rules in order and refuses a bad condition with its position', async () => {
    const versionId = (anvil.core.db.prepare('SELECT id FROM service_versions WHERE service_id = ?').get(serviceId) as { id: string } | undefined)?.id ?? serviceId;
    const bad = await call(`${svc()}/rules`, 'PUT', { rules: [{ condition: "#HEADER_uid.hashCode() % 100 < 10", version_id: versionId }, { condition: "#DOMAIN_NAME = 'x'", version_id: versionId }] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('rules.1.condition');
    expect(bad.body.error_msg).toMatch(/rule 2, position \d+/);
    expect((await call(`${svc()}/rules`, 'PUT', { rules: [{ condition: "#HEADER_a == 'b'", version_id: 'nope' }] })).body.field).toBe('rules.0.version_id');
    expect((await call(`${svc()}/rules`, 'PUT', { rules: Array(11).fill({ condition: "#HEADER_a == 'b'", version_id: versionId }) })).status).toBe(400);
    expect((await call(`${svc()}/rules`, 'PUT', { rules: [{ condition: "#HEADER_a == 'b'", version_id: versionId, header_name: 'Host', header_value: 'x' }] })).body.field).toBe('rules.0.header_name');
  });

  it('looks up endpoints only with type=host_endpoints and only for container-image services', async () => {
    const missing = await call(`${svc()}/predict/endpoints`);
    expect(missing).toMatchObject({ status: 400, body: { error_code: 'ModelArts.0101', field: 'type' } });
    const wrong = await call(`${svc()}/predict/endpoints?type=pod_endpoints`);
    expect(wrong).toMatchObject({ status: 400, body: { field: 'type', error_msg: expect.stringContaining('host_endpoints') } });
    const refused = await call(`${svc()}/predict/endpoints?type=host_endpoints`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error_code: 'ModelArts.0101', field: 'service_id', error_msg: expect.stringMatching(/imported from a container image.*iris/) });
  });

  it('limits a user who is not the administrator to 20 lookups a minute, refused ones included; the administrator goes on', async () => {
    const lookup = (as: string) => call(`${svc()}/predict/endpoints?type=host_endpoints`, 'GET', undefined, as);
    for (let i = 0; i < 20; i++) expect((await lookup(member.token)).status).toBe(400);
    const limited = await lookup(member.token);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error_code: 'ModelArts.0113', error_msg: expect.stringContaining('20 a minute per user') });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    for (let i = 0; i < 21; i++) expect((await lookup(token)).status).toBe(400);
  });

  it('publishes every route in the OpenAPI document', async () => {
    const doc = (await call('/v1/openapi.json', 'GET', undefined, null)).body as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(operations).toEqual(expect.arrayContaining([
      'createCredential', 'listCredentials', 'getCredential', 'updateCredential', 'deleteCredential',
      'listAuthApps', 'createAuthApp', 'getAuthApp', 'deleteAuthApp', 'resetAuthAppSecret', 'addAppCode', 'deleteAppCode', 'bindAuthApp', 'unbindAuthApp',
      'getServiceAccess', 'updateServiceAccess', 'resetServiceToken', 'getServiceRules', 'setServiceRules', 'getHostEndpoints',
    ]));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([KEYS, `${KEYS}/{access_key}`, '/v1/{project_id}/services/{service_id}/predict/endpoints']));
  });
});
