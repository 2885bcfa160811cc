/** The REST doors to gateway credentials over real HTTP: access keys, APP-authentication apps, service access, rules, VPC endpoints. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';
import { deployExample } from '../test-support/deploy-example';

type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let anvil: TTestAnvil;
let token: string;
let projectId: string;
let userId: string;
let serviceId: string;

const call = async (path: string, method = 'GET', body?: unknown, as = token) => {
  const res = await fetch(`${anvil.url}${path}`, {
    method,
    headers: { 'x-auth-token': as, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => ({}))) as TBody };
};

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
  const who = anvil.core.credentials.check(token, 'api');
  if (!('identity' in who)) throw new Error('token');
  userId = who.identity.userId;
  serviceId = await deployExample(anvil.url, { token, projectId }, 'iris');
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('access keys: /v3.0/OS-CREDENTIAL/credentials', () => {
  it('creates a key whose secret appears only in the create answer; lists, disables, deletes', async () => {
    const created = await call('/v3.0/OS-CREDENTIAL/credentials', 'POST', { credential: { user_id: userId, description: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.body.credential).toMatchObject({ access: expect.stringMatching(/^[A-Z0-9]{20}$/), secret: expect.stringMatching(/^[A-Za-z0-9]{40}$/), status: 'active', user_id: userId, description: 'ci' });
    const ak = created.body.credential.access as string;
    const listed = await call(`/v3.0/OS-CREDENTIAL/credentials?user_id=${userId}`);
    expect(listed.body.credentials).toEqual([expect.objectContaining({ access: ak, last_use_time: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.credential.secret);
    expect(JSON.stringify((await call(`/v3.0/OS-CREDENTIAL/credentials/${ak}`)).body)).not.toContain(created.body.credential.secret);
    expect((await call(`/v3.0/OS-CREDENTIAL/credentials/${ak}`, 'PUT', { credential: { status: 'inactive' } })).body.credential.status).toBe('inactive');
    expect((await call(`/v3.0/OS-CREDENTIAL/credentials/${ak}`, 'PUT', { credential: { status: 'paused' } })).status).toBe(400);
    expect((await call(`/v3.0/OS-CREDENTIAL/credentials/${ak}`, 'DELETE')).status).toBe(204);
    expect((await call(`/v3.0/OS-CREDENTIAL/credentials/${ak}`)).status).toBe(404);
  });

  it('refuses a third key, another user\'s user_id, and no token', async () => {
    for (let i = 0; i < 2; i++) expect((await call('/v3.0/OS-CREDENTIAL/credentials', 'POST', { credential: { user_id: userId } })).status).toBe(201);
    const third = await call('/v3.0/OS-CREDENTIAL/credentials', 'POST', { credential: { user_id: userId } });
    expect(third).toMatchObject({ status: 403, body: { error_code: 'ModelArts.0108', error_msg: expect.stringContaining('at most 2') } });
    expect((await call('/v3.0/OS-CREDENTIAL/credentials', 'POST', { credential: { user_id: 'someone-else' } })).status).toBe(403);
    expect((await call('/v3.0/OS-CREDENTIAL/credentials', 'GET', undefined, 'not-a-token')).status).toBe(401);
  });
});

describe('APP authentication apps', () => {
  const base = () => `/v1/${projectId}/app-auth/apps`;
  it('creates an app with generated keys, resets its secret, adds up to five AppCodes, binds and unbinds a service', async () => {
    const created = await call(base(), 'POST', { name: 'app_rest', description: 'for tests' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'app_rest', app_key: expect.stringMatching(/^[0-9a-f]{32}$/), app_secret: expect.any(String), app_codes: [], services: [] });
    const id = created.body.id as string;
    expect((await call(base(), 'POST', { name: 'app_rest' })).body).toMatchObject({ field: 'name' });
    expect((await call(base(), 'POST', { name: '1bad' })).body).toMatchObject({ field: 'name' });
    const reset = await call(`${base()}/${id}/secret/reset`, 'POST');
    expect(reset.body.app_secret).not.toBe(created.body.app_secret);
    for (let i = 1; i <= 5; i++) expect((await call(`${base()}/${id}/app-codes`, 'POST')).body.app_codes).toHaveLength(i);
    expect((await call(`${base()}/${id}/app-codes`, 'POST')).status).toBe(403);
    const codes = (await call(`${base()}/${id}`)).body.app_codes as { id: string }[];
    expect((await call(`${base()}/${id}/app-codes/${codes[0].id}`, 'DELETE')).body.app_codes).toHaveLength(4);
    expect((await call(`${base()}/${id}/services/${serviceId}`, 'POST')).body.services).toEqual([{ id: serviceId, name: 'iris-svc' }]);
    expect((await call(`/v1/${projectId}/services/${serviceId}/access`)).body.apps).toEqual([{ id, name: 'app_rest', app_key: created.body.app_key }]);
    expect((await call(`${base()}/${id}/services/${serviceId}`, 'DELETE')).body.services).toEqual([]);
    expect((await call(`${base()}/${id}/services/nope`, 'POST')).status).toBe(404);
    expect((await call(`${base()}/${id}`, 'DELETE')).status).toBe(204);
    expect((await call(`${base()}/${id}`)).status).toBe(404);
  });

  it('another project cannot see or use the apps', async () => {
    const app = (await call(base(), 'POST', { name: 'app_private' })).body;
    const other = anvil.core.directory.createProject({ name: 'access-other' });
    anvil.core.directory.addMember({ userId, projectId: other.id });
    const { token: otherToken } = await getToken(anvil.url, { name: 'access-other' });
    expect((await call(`/v1/${other.id}/app-auth/apps/${app.id}`, 'GET', undefined, otherToken)).status).toBe(404);
    expect((await call(`/v1/${other.id}/app-auth/apps`, 'GET', undefined, otherToken)).body.apps).toEqual([]);
    expect((await call(`/v1/${projectId}/app-auth/apps`, 'GET', undefined, otherToken)).status).toBe(403);
  });
});

describe('service access, rules and VPC endpoints', () => {
  const svc = () => `/v1/${projectId}/services/${serviceId}`;
  it('shows the address and token, sets APP auth and the traffic limit, resets the token', async () => {
    const access = (await call(`${svc()}/access`)).body;
    expect(access).toMatchObject({ service_id: serviceId, access_address: `${anvil.url}/v1/infers/${serviceId}`, app_auth: false, qps_limit: null, websocket: false });
    const updated = (await call(`${svc()}/access`, 'PUT', { app_auth: true, qps_limit: 100 })).body;
    expect(updated).toMatchObject({ app_auth: true, qps_limit: 100 });
    expect((await call(`${svc()}/access`, 'PUT', { qps_limit: 0 })).body).toMatchObject({ field: 'qps_limit' });
    expect((await call(`${svc()}/access`, 'PUT', {})).status).toBe(400);
    expect((await call(`${svc()}/access`, 'PUT', { qps_limit: null, app_auth: false })).body).toMatchObject({ qps_limit: null, app_auth: false });
    const reset = (await call(`${svc()}/token/reset`, 'POST')).body;
    expect(reset.service_token).not.toBe(access.service_token);
    const predict = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { authorization: `Bearer ${access.service_token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(predict.status).toBe(401);
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

  it('looks up endpoints only for container-image services, with type=host_endpoints', async () => {
    expect((await call(`${svc()}/predict/endpoints`)).body).toMatchObject({ field: 'type' });
    const refused = await call(`${svc()}/predict/endpoints?type=host_endpoints`);
    expect(refused).toMatchObject({ status: 400, body: { error_msg: expect.stringContaining('container image') } });
  });
});
