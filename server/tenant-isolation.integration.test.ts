/**
 * Projects isolate for real, over real HTTP and socket.io: an administrator creates project B and its
 * user through the REST API; B's token, session and socket cannot list, read, predict, subscribe to
 * or delete anything of project A, and B's own resources work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestAnvil, waitFor, zipFolder, type TTestAnvil } from './test-support/anvil-harness';

type TCaller = { token: string; projectId: string };
type TTrpcError = { message: string; data: { code: string; field?: string } };

let anvil: TTestAnvil;
let a: TCaller;
let b: TCaller;
let aCookie: string;
let bCookie: string;
const A: Record<string, string> = {};
const sockets: Socket[] = [];
const irisRow = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 };

const call = (who: TCaller, p: string, init: RequestInit = {}) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': who.token, ...(init.headers as Record<string, string>) } });
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function token(user: string, password: string, project: string): Promise<Response> {
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'anvil' } } } }, scope: { project: { name: project } } } };
  return fetch(`${anvil.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function caller(user: string, password: string, project: string): Promise<TCaller> {
  const res = await token(user, password, project);
  expect(res.status).toBe(201);
  return { token: res.headers.get('x-subject-token')!, projectId: ((await res.json()) as { token: { project: { id: string } } }).token.project.id };
}
async function login(userName: string, password: string): Promise<string> {
  const res = await fetch(`${anvil.url}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName, password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0];
}

/** A tRPC call with a console session, as the browser makes it. */
async function trpc(cookie: string, proc: string, input?: unknown, kind: 'query' | 'mutation' = 'query') {
  const url = `${anvil.url}/api/trpc/${proc}${kind === 'query' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
  const res = await fetch(url, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: kind === 'mutation' ? JSON.stringify(input ?? {}) : undefined,
  });
  const body = (await res.json()) as { result?: { data: unknown }; error?: TTrpcError };
  return { status: res.status, data: body.result?.data, error: body.error };
}

function connect(cookie: string): Promise<Socket> {
  const socket = io(anvil.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function importAndDeploy(who: TCaller, bucket: string, name: string): Promise<{ app: string; service: string }> {
  expect((await call(who, `/obs/${bucket}`, { method: 'PUT' })).status).toBe(201);
  expect((await call(who, `/obs/${bucket}/iris?extract=zip`, { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) })).status).toBe(201);
  const created = await call(who, `/v1/${who.projectId}/models`, post({ model_name: name, source_location: `obs://${bucket}/iris` }));
  expect(created.status).toBe(201);
  const app = ((await created.json()) as { model_id: string }).model_id;
  await waitFor(async () => ((await (await call(who, `/v1/${who.projectId}/models/${app}`)).json()) as { model_status: string }).model_status === 'normal');
  const deployed = await call(who, `/v1/${who.projectId}/services`, post({ service_name: `${name}-svc`, config: [{ model_id: app, specification: 'cpu.1u2g', instance_count: 1 }] }));
  expect(deployed.status).toBe(201);
  const service = ((await deployed.json()) as { service_id: string }).service_id;
  await waitFor(async () => ((await (await call(who, `/v1/${who.projectId}/services/${service}`)).json()) as { status: string }).status === 'running', 30_000, 'running');
  return { app, service };
}

beforeAll(async () => {
  anvil = await startTestAnvil();
  a = await caller('admin', ADMIN_PASSWORD, 'default');
  aCookie = await login('admin', ADMIN_PASSWORD);
  Object.assign(A, await importAndDeploy(a, 'a-models', 'iris-a'));

  // Project B and its user, through the administrator's REST API.
  const project = await call(a, '/v3/projects', post({ project: { name: 'team-b' } }));
  expect(project.status).toBe(201);
  const user = await call(a, '/v3/users', post({ user: { name: 'bob', password: 'bob-password', projects: ['team-b'] } }));
  expect(user.status).toBe(201);
  expect(await user.json()).toMatchObject({ user: { name: 'bob', is_admin: false, projects: [{ name: 'team-b' }] } });
  b = await caller('bob', 'bob-password', 'team-b');
  bCookie = await login('bob', 'bob-password');
}, 90_000);

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await anvil?.close();
  if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
});

describe("project B's credentials", () => {
  it('cannot be scoped to project A, nor manage users and projects', async () => {
    expect((await token('bob', 'bob-password', 'default')).status).toBe(403);
    expect(await trpc(bCookie, 'auth.me')).toMatchObject({ data: { userName: 'bob', projectName: 'team-b', isAdmin: false } });
    expect((await call(b, '/v3/users')).status).toBe(403);
    expect((await call(b, '/v3/projects', post({ project: { name: 'sneaky' } }))).status).toBe(403);
    expect((await trpc(bCookie, 'admin.users')).status).toBe(403);
    expect((await trpc(bCookie, 'auth.switchProject', { projectId: a.projectId }, 'mutation')).status).toBe(403);
  });

  it('cannot list, read or delete project A resources over REST', async () => {
    expect((await call(b, `/v1/${a.projectId}/models`)).status).toBe(403);
    expect((await call(b, `/v1/${a.projectId}/services`)).status).toBe(403);
    for (const p of [`models/${A.app}`, `models/${A.app}/events`, `services/${A.service}`, `services/${A.service}/events`, `services/${A.service}/logs`]) {
      expect((await call(b, `/v1/${b.projectId}/${p}`)).status, p).toBe(404);
    }
    for (const op of ['start', 'stop', 'restart']) expect((await call(b, `/v1/${b.projectId}/services/${A.service}/${op}`, { method: 'POST' })).status, op).toBe(404);
    const deployA = await call(b, `/v1/${b.projectId}/services`, post({ service_name: 'stolen', config: [{ model_id: A.app, specification: 'cpu.1u2g' }] }));
    expect([400, 404]).toContain(deployA.status);
    expect((await call(b, `/v1/${b.projectId}/services/${A.service}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(b, `/v1/${b.projectId}/models/${A.app}`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await call(b, `/v1/${b.projectId}/models`)).json()).toEqual({ models: [] });
    expect(((await (await call(b, `/v1/${b.projectId}/services`)).json()) as { services: unknown[] }).services).toEqual([]);
  });

  it('cannot list, read, write, extract into or delete project A buckets (404 as if missing; the name stays taken: 409)', async () => {
    for (const p of ['/obs/a-models/', '/obs/a-models/iris/', '/obs/a-models/iris/model/config.json']) expect((await call(b, p)).status, p).toBe(404);
    expect((await call(b, '/obs/a-models/iris/model/evil.py', { method: 'PUT', body: 'x' })).status).toBe(404);
    expect((await call(b, '/obs/a-models/evil?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) })).status).toBe(404);
    expect((await call(b, '/obs/a-models/iris/', { method: 'DELETE' })).status).toBe(404);
    expect((await call(b, '/obs/a-models', { method: 'DELETE' })).status).toBe(404);
    expect((await call(b, '/obs/a-models', { method: 'PUT' })).status).toBe(409);
    // The console's download and upload endpoints, with B's session.
    const download = await fetch(`${anvil.url}/api/obs/download?bucket=a-models&key=iris/model/config.json`, { headers: { cookie: bCookie } });
    expect(download.status).toBe(404);
    const form = new FormData();
    form.append('bucket', 'a-models');
    form.append('prefix', '');
    form.append('file', new Blob(['x']), 'evil.txt');
    const upload = await fetch(`${anvil.url}/api/obs/upload`, { method: 'POST', headers: { cookie: bCookie, 'x-anvil-console': '1' }, body: form });
    expect(upload.status).toBe(404);
    // A's objects are untouched.
    const listing = (await (await call(a, '/obs/a-models/iris/model/')).json()) as { entries: { name: string }[] };
    expect(listing.entries.map((e) => e.name)).toEqual(['config.json', 'customize_service.py', 'iris_softmax.npz']);
  });

  it('cannot import an AI application from project A bucket (field error on the source)', async () => {
    const rest = await call(b, `/v1/${b.projectId}/models`, post({ model_name: 'stolen', source_location: 'obs://a-models/iris' }));
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({ field: 'source_location', error_msg: 'The chosen model directory does not exist.' });
    const inspect = await trpc(bCookie, 'apps.inspect', { sourceUri: 'obs://a-models/iris' });
    expect(inspect.error).toMatchObject({ data: { code: 'BAD_REQUEST', field: 'sourceUri' } });
    const create = await trpc(bCookie, 'apps.create', { name: 'stolen', sourceUri: 'obs://a-models/iris' }, 'mutation');
    expect(create.error).toMatchObject({ message: 'The chosen model directory does not exist.', data: { field: 'sourceUri' } });
  });

  it('cannot see or touch project A over tRPC with its session', async () => {
    expect((await trpc(bCookie, 'obs.buckets')).data).toEqual([]);
    expect((await trpc(bCookie, 'obs.list', { bucket: 'a-models', prefix: '' })).status).toBe(404);
    expect((await trpc(bCookie, 'obs.createFolder', { bucket: 'a-models', prefix: '', name: 'x' }, 'mutation')).status).toBe(404);
    expect((await trpc(bCookie, 'obs.delete', { bucket: 'a-models', key: 'iris/' }, 'mutation')).status).toBe(404);
    expect((await trpc(bCookie, 'apps.list')).data).toEqual([]);
    expect((await trpc(bCookie, 'services.list')).data).toEqual([]);
    for (const [proc, input] of [
      ['apps.get', { id: A.app }],
      ['apps.events', { id: A.app }],
      ['services.get', { id: A.service }],
      ['services.events', { id: A.service }],
    ] as const) {
      expect((await trpc(bCookie, proc, input)).status, proc).toBe(404);
    }
    expect((await trpc(bCookie, 'apps.delete', { id: A.app }, 'mutation')).status).toBe(404);
    expect((await trpc(bCookie, 'services.delete', { id: A.service }, 'mutation')).status).toBe(404);
  });

  it('cannot predict with project A service through the gateway, by token or by console session', async () => {
    const byToken = await call(b, `/v1/infers/${A.service}`, post({ data: { req_data: [irisRow] } }));
    expect(byToken.status).toBe(403);
    const bySession = await fetch(`${anvil.url}/v1/infers/${A.service}`, {
      method: 'POST',
      headers: { cookie: bCookie, 'x-anvil-console': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ data: { req_data: [irisRow] } }),
    });
    expect(bySession.status).toBe(403);
    expect((await call(a, `/v1/infers/${A.service}`, post({ data: { req_data: [irisRow] } }))).status).toBe(200);
  });

  it('cannot subscribe to project A resources, and hears nothing of them on its own lists', async () => {
    const bSocket = await connect(bCookie);
    expect(await bSocket.emitWithAck('subscribe', `service:${A.service}`)).toEqual({ ok: false, error: 'not found' });
    expect(await bSocket.emitWithAck('subscribe', `app:${A.app}`)).toEqual({ ok: false, error: 'not found' });
    expect(await bSocket.emitWithAck('subscribe', 'services')).toEqual({ ok: true });
    expect(await bSocket.emitWithAck('subscribe', 'apps')).toEqual({ ok: true });
    const heardByB: string[] = [];
    bSocket.onAny((event) => heardByB.push(event));
    const aSocket = await connect(aCookie);
    expect(await aSocket.emitWithAck('subscribe', 'services')).toEqual({ ok: true });
    const heardByA: string[] = [];
    aSocket.on('service:update', (s: { description: string }) => heardByA.push(s.description));
    expect((await trpc(aCookie, 'services.updateDescription', { id: A.service, description: 'changed by A' }, 'mutation')).status).toBe(200);
    await waitFor(async () => heardByA.includes('changed by A'), 5000, 'A hears its change');
    await new Promise((r) => setTimeout(r, 300));
    expect(heardByB).toEqual([]);
  });
});

describe("project B's own resources", () => {
  it('work: its bucket, AI application, service and predictions, invisible to project A', async () => {
    const own = await importAndDeploy(b, 'b-models', 'iris-b');
    expect(((await trpc(bCookie, 'obs.buckets')).data as { name: string }[]).map((x) => x.name)).toEqual(['b-models']);
    expect(((await trpc(aCookie, 'obs.buckets')).data as { name: string }[]).map((x) => x.name)).toEqual(['a-models']);
    const predicted = await call(b, `/v1/infers/${own.service}`, post({ data: { req_data: [irisRow] } }));
    expect(predicted.status).toBe(200);
    expect((await call(a, `/v1/infers/${own.service}`, post({ data: { req_data: [irisRow] } }))).status).toBe(403);
    expect((await call(a, `/v1/${a.projectId}/services/${own.service}`)).status).toBe(404);
    expect((await call(b, `/v1/${b.projectId}/services/${own.service}`, { method: 'DELETE' })).status).toBe(204);
  }, 60_000);

  it('stop working at once when the administrator removes the user from the project', async () => {
    const members = (await (await call(a, '/v3/users')).json()) as { users: { id: string; name: string }[] };
    const bob = members.users.find((u) => u.name === 'bob')!;
    // A user keeps at least one project: give bob another before taking team-b away.
    const spare = (await (await call(a, '/v3/projects', post({ project: { name: 'bobs-spare' } }))).json()) as { project: { id: string } };
    expect((await call(a, `/v3/projects/${spare.project.id}/users/${bob.id}`, { method: 'PUT' })).status).toBe(200);
    const lastOne = await call(a, `/v3/projects/${spare.project.id}/users/${bob.id}`, { method: 'DELETE' });
    expect(lastOne.status).toBe(200);
    expect((await call(a, `/v3/projects/${b.projectId}/users/${bob.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await call(a, `/v3/projects/${spare.project.id}/users/${bob.id}`, { method: 'PUT' })).status).toBe(200);
    const removed = await call(a, `/v3/projects/${b.projectId}/users/${bob.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await call(b, `/v1/${b.projectId}/models`)).status).toBe(401);
    expect((await trpc(bCookie, 'obs.buckets')).status).toBe(401);
    expect((await token('bob', 'bob-password', 'team-b')).status).toBe(403);
  });
});
