/**
 * The golden path over real HTTP, as `curl` would do it: token → object storage → AI application →
 * online service → predictions, plus one failing case per error the gateway and APIs answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, now } from '../core/ids';
import { getToken, isAlive, startTestAnvil, stopTestAnvil, tokenRequest, waitFor, zipFolder, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let token: string;
let projectId: string;
const ids: Record<string, string> = {};

const api = (p: string, init: RequestInit = {}, withToken = true) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { ...(withToken ? { 'x-auth-token': token } : {}), ...(init.headers as Record<string, string>) } });
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const irisRow = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 };

async function createModel(name: string, folder: string): Promise<string> {
  const res = await api(`/v1/${projectId}/models`, json({ model_name: name, source_location: `obs://models/${folder}` }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { model_id: string }).model_id;
}
const modelStatus = async (id: string) => ((await (await api(`/v1/${projectId}/models/${id}`)).json()) as { model_status: string }).model_status;
const serviceOf = async (id: string) => (await (await api(`/v1/${projectId}/services/${id}`)).json()) as { status: string; instances: { pid: number; id: string }[] };
const eventsOf = async (kind: 'models' | 'services', id: string) =>
  ((await (await api(`/v1/${projectId}/${kind}/${id}/events`)).json()) as { events: { message: string; code: string }[] }).events.map((e) => e.message).reverse();

async function deploy(name: string, modelId: string): Promise<string> {
  const res = await api(`/v1/${projectId}/services`, json({ service_name: name, config: [{ model_id: modelId, specification: 'cpu.1u2g', instance_count: 1 }] }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { service_id: string }).service_id;
}

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
});
afterAll(() => stopTestAnvil(anvil));

describe('IAM tokens (POST /v3/auth/tokens)', () => {
  it('returns a project-scoped token in X-Subject-Token, valid 24 hours', async () => {
    const res = await fetch(`${anvil.url}/v3/auth/tokens`, json(tokenRequest()));
    expect(res.status).toBe(201);
    expect(res.headers.get('x-subject-token')).toMatch(/^[\w-]{40,}$/);
    const body = (await res.json()) as { token: { expires_at: string; project: { name: string } } };
    expect(body.token.project.name).toBe('default');
    expect(Date.parse(body.token.expires_at) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
  });
  it('refuses a wrong password (401), a domain-scoped request (400) and a malformed body (400)', async () => {
    const wrong = await fetch(`${anvil.url}/v3/auth/tokens`, json(tokenRequest('nope')));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error_code: expect.stringMatching(/^ModelArts\./), error_msg: expect.stringContaining('incorrect') });
    const domainScoped = await fetch(`${anvil.url}/v3/auth/tokens`, json(tokenRequest(undefined, null)));
    expect(domainScoped.status).toBe(400);
    expect(((await domainScoped.json()) as { error_msg: string }).error_msg).toContain('project');
    const garbage = await fetch(`${anvil.url}/v3/auth/tokens`, { method: 'POST', body: '{nope' });
    expect(garbage.status).toBe(400);
  });
});

describe('golden path over REST', () => {
  it('uploads the example packages to object storage', async () => {
    expect((await api('/obs/models', { method: 'PUT' })).status).toBe(201);
    for (const name of ['iris', 'digits']) {
      const res = await api(`/obs/models/${name}?extract=zip`, { method: 'PUT', body: zipFolder(path.resolve(`examples/${name}/model`)) });
      expect(res.status).toBe(201);
    }
    const listing = (await (await api('/obs/models/iris/model/')).json()) as { entries: { name: string }[] };
    expect(listing.entries.map((e) => e.name)).toEqual(['config.json', 'customize_service.py', 'iris_softmax.npz']);
  });

  it('imports AI applications asynchronously, with the events of guide §2.6', async () => {
    ids.iris = await createModel('iris', 'iris');
    ids.digits = await createModel('digits', 'digits');
    await waitFor(async () => (await modelStatus(ids.iris)) === 'normal', 20_000, 'iris normal');
    await waitFor(async () => (await modelStatus(ids.digits)) === 'normal', 20_000, 'digits normal');
    expect(await eventsOf('models', ids.iris)).toEqual([
      'Start model import.',
      'Model file imported successfully.',
      'Model size calculated successfully.',
      'Model imported successfully.',
    ]);
  });

  it('deploys online services that reach running, with the events of table 3-15', async () => {
    ids.irisSvc = await deploy('iris-svc', ids.iris);
    ids.digitsSvc = await deploy('digits-svc', ids.digits);
    for (const id of [ids.irisSvc, ids.digitsSvc]) await waitFor(async () => (await serviceOf(id)).status === 'running', 30_000, 'running');
    const events = await eventsOf('services', ids.irisSvc);
    expect(events[0]).toBe('Start to deploy service.');
    expect(events.slice(-2)).toEqual(['Service iris-svc started successfully.', 'Auto-stop switched on, service will be stopped in 1 hour.']);
  });

  it('predicts with JSON through /v1/infers and echoes meta.uuid', async () => {
    const res = await api(`/v1/infers/${ids.irisSvc}`, json({ meta: { uuid: '10eb0091-887f-4839-9929-cbc884f1e20e' }, data: { req_data: [irisRow] } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      meta: { uuid: '10eb0091-887f-4839-9929-cbc884f1e20e' },
      data: { resp_data: [{ predict_result: 'Iris-virginica', confidence: expect.any(Number) }] },
    });
    const noMeta = (await (await api(`/v1/infers/${ids.irisSvc}`, json({ data: { req_data: [irisRow] } }))).json()) as { meta: { uuid: string } };
    expect(noMeta.meta.uuid).toBe('');
  });

  it('predicts with a multipart image under the `images` key', async () => {
    for (const digit of [3, 8]) {
      const form = new FormData();
      form.append('images', new Blob([fs.readFileSync(`examples/digits/samples/digit-${digit}.png`)], { type: 'image/png' }), `digit-${digit}.png`);
      const res = await api(`/v1/infers/${ids.digitsSvc}`, { method: 'POST', body: form });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ predicted_label: String(digit) });
    }
  });

  it('keeps the model request log line, searchable by keyword', async () => {
    const logs = await waitFor(async () => {
      const body = (await (await api(`/v1/${projectId}/services/${ids.irisSvc}/logs?minutes=5&keyword=iris%20predicted`)).json()) as { lines: { line: string }[] };
      return body.lines.length >= 2 && body.lines;
    });
    expect(logs.every((l) => l.line.includes('iris predicted 1 row(s): Iris-virginica'))).toBe(true);
  });
});

describe('gateway errors: API Gateway codes, each with its status, {error_code, error_msg, request_id}', () => {
  const infer = (headers: Record<string, string>, body: BodyInit = JSON.stringify({ data: { req_data: [irisRow] } }), id = ids.irisSvc, suffix = '') =>
    fetch(`${anvil.url}/v1/infers/${id}${suffix}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const expectError = async (res: Response, status: number, code: string, message?: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error_code: string; error_msg: string; request_id?: string };
    expect(body.error_code).toBe(code);
    expect(body.error_msg.length).toBeGreaterThan(10);
    if (message) expect(body.error_msg).toBe(message);
    // The model server's own errors (ModelArts.4400) have no gateway request id.
    if (code.startsWith('APIG.')) expect(body.request_id).toBe(res.headers.get('x-request-id'));
  };

  it('no credentials → 401 APIG.0301', async () => expectError(await infer({}), 401, 'APIG.0301'));
  it('wrong token → 401 APIG.0301 "decrypt token fail"', async () =>
    expectError(await infer({ 'x-auth-token': 'not-a-token' }), 401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail'));
  it('expired token → 401 APIG.0301 "token expired"', async () => {
    const { token: old } = await getToken(anvil.url);
    anvil.core.db.prepare('UPDATE tokens SET expires_at = ? WHERE expires_at > ? AND kind = ? ORDER BY created_at DESC LIMIT 1').run(now() - 1, now(), 'api');
    await expectError(await infer({ 'x-auth-token': old }), 401, 'APIG.0301', 'Incorrect IAM authentication information: token expired');
  });
  it('a token of another project → 403 APIG.0302', async () => {
    // Another project, and admin a member of it (a token can only be scoped to a member's project).
    const other = (await (await api('/v3/projects', json({ project: { name: 'other' } }))).json()) as { project: { id: string } };
    const { users } = (await (await api('/v3/users')).json()) as { users: { id: string; name: string }[] };
    expect((await api(`/v3/projects/${other.project.id}/users/${users.find((u) => u.name === 'admin')!.id}`, { method: 'PUT' })).status).toBe(200);
    const { token: otherToken } = await getToken(anvil.url, { name: 'other' });
    await expectError(await infer({ 'x-auth-token': otherToken }), 403, 'APIG.0302');
  });
  it('unknown service or API path → 404 APIG.0101', async () => {
    await expectError(await infer({ 'x-auth-token': token }, undefined, newId()), 404, 'APIG.0101', 'The API does not exist or has not been published in the environment');
    await expectError(await infer({ 'x-auth-token': token }, undefined, ids.irisSvc, '/nope'), 404, 'APIG.0101');
  });
  it('a bad JSON body → 400 from the model server; a wrong content type → 415', async () => {
    await expectError(await infer({ 'x-auth-token': token }, '{"data": '), 400, 'ModelArts.4400');
    await expectError(await infer({ 'x-auth-token': token, 'content-type': 'multipart/form-data; boundary=x' }, '--x--'), 415, 'ModelArts.4303');
  });
  it('a body over 12 MB → 413 APIG.0201, before it reaches the model', async () => {
    await expectError(await infer({ 'x-auth-token': token }, 'x'.repeat(12 * 1024 * 1024 + 1)), 413, 'APIG.0201', 'Request entity too large');
  });
});

describe('failures of AI applications and services', () => {
  const put = (key: string, body: string) => api(`/obs/models/${key}`, { method: 'PUT', body });

  it('refuses a directory without a model package, naming the field', async () => {
    await put('empty/readme.txt', 'nothing here');
    const res = await api(`/v1/${projectId}/models`, json({ model_name: 'empty', source_location: 'obs://models/empty' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'source_location', error_msg: expect.stringContaining('"model"') });
    const names = (await (await api(`/v1/${projectId}/models`)).json()) as { models: { model_name: string }[] };
    expect(names.models.map((m) => m.model_name)).not.toContain('empty');
  });

  it('fails the import of an invalid config.json with "Invalid %s in config.json."', async () => {
    const config = JSON.parse(fs.readFileSync('examples/iris/model/config.json', 'utf8'));
    await put('bad/model/config.json', JSON.stringify({ ...config, model_algorithm: '9lives' }));
    await put('bad/model/customize_service.py', fs.readFileSync('examples/iris/model/customize_service.py', 'utf8'));
    const id = await createModel('bad', 'bad');
    await waitFor(async () => (await modelStatus(id)) === 'failed');
    const events = await eventsOf('models', id);
    expect(events[0]).toBe('Start model import.');
    // A8 word for word names the field; the next event says what is wrong with it.
    expect(events.slice(1)).toEqual(['Invalid model_algorithm in config.json.', 'In config.json, model_algorithm must start with an English letter', 'Failed to import the model.']);
    const deployRes = await api(`/v1/${projectId}/services`, json({ service_name: 'bad-svc', config: [{ model_id: id, specification: 'cpu.1u2g' }] }));
    expect(deployRes.status).toBe(409);
  });

  it('fails a deployment whose model cannot start, and a failed service answers 503 ModelArts.4302', async () => {
    const config = fs.readFileSync('examples/iris/model/config.json', 'utf8');
    await put('broken/model/config.json', config);
    await put('broken/model/customize_service.py', 'import numpy\nraise RuntimeError("weights file is corrupt")\n');
    const id = await createModel('broken', 'broken');
    await waitFor(async () => (await modelStatus(id)) === 'normal');
    const svc = await deploy('broken-svc', id);
    await waitFor(async () => (await serviceOf(svc)).status === 'failed', 30_000, 'failed');
    const events = await eventsOf('services', svc);
    expect(events.at(-1)).toBe('Failed to deploy service, retry later. Error message: RuntimeError: weights file is corrupt');
    const res = await api(`/v1/infers/${svc}`, json({ data: { req_data: [irisRow] } }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error_code: 'ModelArts.4302', error_msg: expect.stringContaining('failed') });
  });

  it('refuses invalid service parameters with the field name', async () => {
    const res = await api(`/v1/${projectId}/services`, json({ service_name: 'bad name', config: [{ model_id: ids.iris, specification: 'cpu.1u2g' }] }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'service_name' });
    const timeout = await api(`/v1/${projectId}/services`, json({ service_name: 'ok', deploy_timeout: 2, config: [{ model_id: ids.iris, specification: 'cpu.1u2g' }] }));
    expect(await timeout.json()).toMatchObject({ field: 'deploy_timeout' });
    const flavor = await api(`/v1/${projectId}/services`, json({ service_name: 'ok', config: [{ model_id: ids.iris, specification: 'gpu.1x.8u32g' }] }));
    expect(flavor.status).toBe(400);
    expect(await flavor.json()).toMatchObject({ field: 'config.0.specification' });
  });
});

describe('deletion and quota', () => {
  it('refuses to delete an AI application version that a service uses (guide §2.5)', async () => {
    const res = await api(`/v1/${projectId}/models/${ids.iris}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error_msg: string }).error_msg).toContain('iris-svc');
  });

  it('deletes a service: its instance stops and its URL answers 404', async () => {
    const svc = await deploy('short-lived', ids.iris);
    const { instances } = await waitFor(async () => {
      const s = await serviceOf(svc);
      return s.status === 'running' && s;
    });
    expect((await api(`/v1/${projectId}/services/${svc}`, { method: 'DELETE' })).status).toBe(204);
    expect(isAlive(instances[0].pid)).toBe(false);
    expect((await api(`/v1/infers/${svc}`, json({ data: { req_data: [irisRow] } }))).status).toBe(404);
    expect((await api(`/v1/${projectId}/services/${svc}`)).status).toBe(404);
  });

  it('allows at most 20 online services per user (guide §3.1.1)', async () => {
    const count = () => (anvil.core.db.prepare('SELECT COUNT(*) AS n FROM services').get() as { n: number }).n;
    const insert = anvil.core.db.prepare(
      `INSERT INTO services (id, project_id, name, status, desired_state, app_id, traffic_weight, pool, flavor, instance_count, envs,
         deploy_timeout_min, auto_stop_enabled, auto_stop_hours, owner_user_id, created_at, updated_at)
       VALUES (?, ?, ?, 'failed', 'stopped', ?, 100, 'local', 'cpu.1u2g', 1, '[]', 20, 0, 1, (SELECT id FROM users WHERE name = 'admin'), ?, ?)`,
    );
    // Records only (no processes): fill the project up to the quota.
    const fillers = Array.from({ length: 20 - count() }, (_, i) => {
      const id = newId();
      insert.run(id, projectId, `filler-${i}`, ids.iris, now(), now());
      return id;
    });
    const res = await api(`/v1/${projectId}/services`, json({ service_name: 'one-too-many', config: [{ model_id: ids.iris, specification: 'cpu.1u2g' }] }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error_msg: string }).error_msg).toBe('A user can have at most 20 online services; delete one first.');

    // The quota is the user's, not the project's: another member of the same project still deploys.
    const bob = await api('/v3/users', json({ user: { name: 'quota-bob', password: 'bob-password', projects: ['default'] } }));
    expect(bob.status).toBe(201);
    const bobToken = await fetch(`${anvil.url}/v3/auth/tokens`, json({
      auth: { identity: { methods: ['password'], password: { user: { name: 'quota-bob', password: 'bob-password', domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } },
    }));
    const bobRes = await fetch(`${anvil.url}/v1/${projectId}/services`, {
      ...json({ service_name: 'bobs-own', config: [{ model_id: ids.iris, specification: 'cpu.1u2g' }] }),
      headers: { 'content-type': 'application/json', 'x-auth-token': bobToken.headers.get('x-subject-token')! },
    });
    expect(bobRes.status).toBe(201);
    const bobsId = ((await bobRes.json()) as { service_id: string }).service_id;
    fillers.push(bobsId);
    for (const id of fillers) expect((await api(`/v1/${projectId}/services/${id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('reliability', () => {
  it('restarts an instance that dies and records an event', async () => {
    const before = await serviceOf(ids.irisSvc);
    process.kill(before.instances[0].pid, 'SIGKILL');
    await waitFor(async () => {
      const s = await serviceOf(ids.irisSvc);
      return s.instances[0]?.pid !== before.instances[0].pid && (await api(`/v1/infers/${ids.irisSvc}`, json({ data: { req_data: [irisRow] } }))).status === 200;
    }, 20_000, 'instance restarted');
    expect((await eventsOf('services', ids.irisSvc)).some((m) => /^Instance .* exited unexpectedly \(signal SIGKILL\), restarting it\.$/.test(m))).toBe(true);
  });

  it('keeps applications and services across an Anvil restart, with no orphan processes', async () => {
    const pids = (await serviceOf(ids.irisSvc)).instances.map((i) => i.pid);
    await anvil.close();
    expect(pids.filter(isAlive)).toEqual([]);
    anvil = await startTestAnvil(anvil.dataDir);
    await waitFor(async () => {
      const res = await api(`/v1/infers/${ids.irisSvc}`, json({ data: { req_data: [irisRow] } }));
      return res.status === 200;
    }, 20_000, 'service back after restart');
    expect((await serviceOf(ids.irisSvc)).status).toBe('running');
    expect(await modelStatus(ids.iris)).toBe('normal');
  });
});
