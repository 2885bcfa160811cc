/**
 * Resource pools over real HTTP: the list for project members, the administrators' `/v3/pools`
 * endpoints with REST field names, and nodes that cannot go while they run an instance. The local
 * Docker Engine (with Anvil's runtime image) is needed for the node checks: they skip without it and
 * fail under CI=true.
 */
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_SERVER_DIR } from '../core/anvil-core';
import { baseRuntimeImage } from '../core/images/base-images';
import { ADMIN_PASSWORD, getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../test-support/anvil-harness';

const docker = new Docker();
const engineProblem = await docker
  .ping()
  .then(() => docker.getImage(baseRuntimeImage(PYTHON_SERVER_DIR)).inspect())
  .then(() => undefined, (e: Error) => `no Docker Engine with Anvil's runtime image (npm run images): ${e.message}`);
if (engineProblem && process.env.CI === 'true') throw new Error(`The pool suite needs Docker under CI: ${engineProblem}`);
if (engineProblem) console.warn(`Skipping the pool checks that need Docker: ${engineProblem}`);

type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let anvil: TTestAnvil;
let admin: { token: string; projectId: string };
let member = '';

const call = async (p: string, method = 'GET', body?: unknown, token = admin.token) => {
  const res = await fetch(`${anvil.url}${p}`, {
    method,
    headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as TBody };
};
const pools = async () => (await call(`/v1/${admin.projectId}/pools`)).body.pools as TBody[];
const localDocker = async () => (await pools()).find((p) => p.id === 'docker')!.nodes[0] as TBody;
const addNode = (poolId: string, node: TBody) => call(`/v3/pools/${poolId}/nodes`, 'POST', { node });

beforeAll(async () => {
  anvil = await startTestAnvil();
  admin = await getToken(anvil.url);
  expect((await call('/v3/users', 'POST', { user: { name: 'dora', password: 'dora-password', projects: ['default'] } })).status).toBe(201);
  const res = await fetch(`${anvil.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'dora', password: 'dora-password', domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } }),
  });
  member = res.headers.get('x-subject-token')!;
}, 60_000);
afterAll(() => stopTestAnvil(anvil));

describe('the pool list', () => {
  it('shows the local pool to any project member, with this machine as its node', async () => {
    const res = await call(`/v1/${admin.projectId}/pools`, 'GET', undefined, member);
    expect(res.status).toBe(200);
    const local = (res.body.pools as TBody[]).find((p) => p.id === 'local')!;
    expect(local).toMatchObject({ runtime: 'process', is_default: true, unavailable_reason: '' });
    expect(local.nodes).toEqual([expect.objectContaining({ id: 'local', status: 'ready', endpoint: 'process://this-machine', total: { cpus: 16, memory_gib: 64, gpus: expect.any(Number) } })]);
    expect((await call('/v1/another-project/pools')).status).toBe(403);
    expect((await fetch(`${anvil.url}/v1/${admin.projectId}/pools`)).status).toBe(401);
  });

  it.skipIf(!!engineProblem)('shows the docker pool with the local engine and its totals', async () => {
    const pool = (await pools()).find((p) => p.id === 'docker')!;
    expect(pool).toMatchObject({ runtime: 'docker', is_default: false, unavailable_reason: '' });
    expect(pool.nodes).toHaveLength(1);
    const node = pool.nodes[0];
    expect(node).toMatchObject({ name: 'local-docker', endpoint: 'unix:///var/run/docker.sock', is_auto: true, status: 'ready', instance_count: 0 });
    // The harness declares 16 vCPUs and 64 GiB, for the local engine too.
    expect(node.total).toMatchObject({ cpus: 16, memory_gib: 64 });
    expect(node.used).toMatchObject({ cpus: 0, memory_gib: 0, gpus: 0 });
    expect(node.engine_version).toMatch(/^\d+\.\d+/);
    expect(node.checked_at).toBeGreaterThan(0);
  });
});

describe('administrators only', () => {
  it('refuses every /v3/pools call of a user who is not an administrator', async () => {
    const calls: [string, string, unknown?][] = [
      ['/v3/pools', 'POST', { pool: { id: 'sneaky' } }],
      ['/v3/pools/docker', 'DELETE'],
      ['/v3/pools/docker/nodes', 'POST', { node: { name: 'n', endpoint: 'unix:///var/run/docker.sock' } }],
      ['/v3/pools/docker/nodes/x', 'DELETE'],
      ['/v3/pools/docker/nodes/x/allocatable', 'PUT', { allocatable: null }],
      ['/v3/pools/refresh', 'POST'],
    ];
    for (const [p, method, body] of calls) {
      const res = await call(p, method, body, member);
      expect(res.status, `${method} ${p}`).toBe(403);
      expect(res.body.error_code).toBe('ModelArts.0106');
    }
    expect((await pools()).map((p) => p.id)).not.toContain('sneaky');
  });
});

describe('pools', () => {
  it('creates a pool, refuses bad and duplicate ids, deletes it; never the local pool', async () => {
    const bad = await call('/v3/pools', 'POST', { pool: { id: 'Edge Pool' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'ModelArts.0101', field: 'pool.id', error_msg: 'Start with a lowercase letter; then lowercase letters, digits and "-".' });
    expect((await call('/v3/pools', 'POST', { pool: { id: 'edge', junk: 1 } })).body).toMatchObject({ field: 'pool.junk' });

    const created = await call('/v3/pools', 'POST', { pool: { id: 'scratch', description: 'for a while' } });
    expect(created.status).toBe(201);
    expect(created.body.pool).toMatchObject({ id: 'scratch', runtime: 'docker', description: 'for a while', nodes: [], unavailable_reason: 'The pool has no node.' });
    const dup = await call('/v3/pools', 'POST', { pool: { id: 'scratch' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ field: 'pool.id', error_msg: 'A pool named scratch already exists.' });

    expect((await call('/v3/pools/scratch', 'DELETE')).status).toBe(204);
    expect((await call('/v3/pools/scratch', 'DELETE')).status).toBe(404);
    const local = await call('/v3/pools/local', 'DELETE');
    expect(local.status).toBe(409);
    expect(local.body).toMatchObject({ error_code: 'ModelArts.0104', error_msg: 'The local pool cannot be deleted.' });
  });

  it('refreshes every inventory on demand', async () => {
    const res = await call('/v3/pools/refresh', 'POST');
    expect(res.status).toBe(200);
    expect((res.body.pools as TBody[]).map((p) => p.id)).toContain('local');
  });

  it('are in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${anvil.url}/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/{project_id}/pools', '/v3/pools', '/v3/pools/{pool_id}', '/v3/pools/{pool_id}/nodes', '/v3/pools/{pool_id}/nodes/{node_id}',
        '/v3/pools/{pool_id}/nodes/{node_id}/allocatable', '/v3/pools/refresh',
      ]),
    );
  });
});

describe('nodes', () => {
  beforeAll(async () => {
    expect((await call('/v3/pools', 'POST', { pool: { id: 'edge' } })).status).toBe(201);
  });

  it('refuses bad endpoints, names and capacities with the REST field', async () => {
    const cases: [TBody, string, string | RegExp][] = [
      [{ name: 'n1', endpoint: 'http://x' }, 'node.endpoint', /^Use unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port/],
      [{ name: 'n1', endpoint: 'unix://relative' }, 'node.endpoint', /absolute socket path/],
      [{ name: 'n1', endpoint: 'tcp://host:2376' }, 'node.tls.ca', /needs TLS client certificates/],
      [{ name: 'n1', endpoint: 'tcp://host:2376', tls: { ca: 'not pem', cert: 'x', key: 'y' } }, 'node.tls.ca', /Paste a PEM block/],
      [{ name: '-bad', endpoint: 'unix:///var/run/docker.sock' }, 'node.name', /starting with a letter or digit/],
      [{ name: 'n1', endpoint: 'unix:///var/run/docker.sock', allocatable: { cpus: 0, memory_gib: 4 } }, 'node.allocatable.cpus', 'At least 1.'],
      [{ name: 'n1', endpoint: 'unix:///var/run/docker.sock', allocatable: { cpus: 2, memory_gib: 1.5 } }, 'node.allocatable.memory_gib', 'Enter a whole number.'],
      [{ name: 'n1', endpoint: 'unix:///tmp/nonexistent.sock' }, 'node.endpoint', /^The engine at unix:\/\/\/tmp\/nonexistent.sock does not answer/],
    ];
    for (const [node, field, message] of cases) {
      const res = await addNode('edge', node);
      expect(res.status, JSON.stringify(node)).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'ModelArts.0101', field });
      expect(res.body.error_msg).toMatch(message);
    }
    expect((await addNode('nowhere', { name: 'n1', endpoint: 'unix:///var/run/docker.sock' })).body).toMatchObject({ field: 'pool_id', error_msg: 'Pool nowhere does not exist.' });
    expect((await addNode('local', { name: 'n1', endpoint: 'unix:///var/run/docker.sock' })).body).toMatchObject({ field: 'pool_id' });
    expect((await pools()).find((p) => p.id === 'edge')!.nodes).toEqual([]);
  });

  const twinSocket = `/tmp/anvil-twin-${process.pid}.sock`;
  it.skipIf(!!engineProblem)('refuses the local engine a second time, under any name', async () => {
    const again = await addNode('edge', { name: 'again', endpoint: 'unix:///var/run/docker.sock' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error_code: 'ModelArts.0103', field: 'node.endpoint', error_msg: 'That engine is already a node (unix:///var/run/docker.sock).' });
    const sameName = await addNode('edge', { name: 'local-docker', endpoint: 'unix:///var/run/docker.sock' });
    expect(sameName.body).toMatchObject({ field: 'node.name', error_msg: 'A node named local-docker already exists.' });
    // Other spellings of the same socket, and the same engine behind another path: its capacity would count twice.
    for (const endpoint of ['unix:////var/run/docker.sock', 'unix:///var/run/../run/docker.sock']) {
      expect((await addNode('edge', { name: 'twin', endpoint })).status).toBe(409);
    }
    fs.symlinkSync('/var/run/docker.sock', twinSocket);
    const twin = await addNode('edge', { name: 'twin', endpoint: `unix://${twinSocket}` });
    fs.rmSync(twinSocket, { force: true });
    expect(twin.status).toBe(409);
    expect(twin.body.error_msg).toBe('That engine is already node local-docker (unix:///var/run/docker.sock).');
  });

  it.skipIf(!!engineProblem)('sets and clears what the scheduler may hand out', async () => {
    const node = await localDocker();
    const url = `/v3/pools/docker/nodes/${node.id}/allocatable`;
    expect((await call(url, 'PUT', { allocatable: { cpus: 0, memory_gib: 8 } })).body).toMatchObject({ field: 'allocatable.cpus', error_msg: 'At least 1.' });
    expect((await call(url, 'PUT', { allocatable: { cpus: 4, memory_gib: 8.5 } })).body).toMatchObject({ field: 'allocatable.memory_gib', error_msg: 'Enter a whole number.' });
    expect((await call(url, 'PUT', { allocatable: { cpus: 4 } })).body).toMatchObject({ field: 'allocatable.memory_gib' });
    expect((await call(url, 'PUT', {})).body).toMatchObject({ field: 'allocatable' });
    expect((await call(`/v3/pools/edge/nodes/${node.id}/allocatable`, 'PUT', { allocatable: null })).status).toBe(404);
    expect((await call('/v3/pools/docker/nodes/node-missing/allocatable', 'PUT', { allocatable: null })).status).toBe(404);

    const set = await call(url, 'PUT', { allocatable: { cpus: 4, memory_gib: 8 } });
    expect(set.status).toBe(200);
    expect(set.body.node.total).toMatchObject({ cpus: 4, memory_gib: 8 });
    const cleared = await call(url, 'PUT', { allocatable: null });
    const info = await docker.info();
    expect(cleared.body.node.total).toMatchObject({ cpus: info.NCPU, memory_gib: Math.floor(info.MemTotal / 1024 ** 3) });
    expect((await call(url, 'PUT', { allocatable: { cpus: 16, memory_gib: 64 } })).body.node.total).toMatchObject({ cpus: 16, memory_gib: 64 });
  });

  it.skipIf(!!engineProblem)('keeps a node that runs an instance, and a pool with nodes', async () => {
    const serviceId = await deployIrisOnDocker();
    const node = await localDocker();
    expect(node).toMatchObject({ instance_count: 1, used: { cpus: 1, memory_gib: 2, gpus: 0 }, free: { cpus: 15, memory_gib: 62 } });

    const refused = await call(`/v3/pools/docker/nodes/${node.id}`, 'DELETE');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 'ModelArts.0104', error_msg: 'Node local-docker runs 1 instance(s); stop or delete their services first.' });
    expect((await call(`/v3/pools/edge/nodes/${node.id}`, 'DELETE')).status).toBe(404);
    const pool = await call('/v3/pools/docker', 'DELETE');
    expect(pool.body).toMatchObject({ error_code: 'ModelArts.0104', error_msg: 'Pool docker still has nodes; remove them first.' });

    expect((await call(`/v1/${admin.projectId}/services/${serviceId}`, 'DELETE')).status).toBe(204);
    await waitFor(async () => (await docker.listContainers({ all: true, filters: { label: [`anvil.service=${serviceId}`] } })).length === 0, 30_000, 'no container left');
    await waitFor(async () => (await localDocker()).instance_count === 0, 10_000, 'the node empty');
  }, 120_000);
});

describe('the console (tRPC)', () => {
  it('lists pools for a session and names nested fields in full', async () => {
    const login = await fetch(`${anvil.url}/api/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const trpc = async (p: string, input?: unknown) => {
      const res = await fetch(`${anvil.url}/api/trpc/${p}`, input === undefined ? { headers: { cookie } } : { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      return (await res.json()) as TBody;
    };
    expect((await trpc('pools.list')).result.data.map((p: TBody) => p.id)).toContain('local');
    expect((await trpc('services.flavors')).result.data.length).toBeGreaterThan(0);
    const flavors = await fetch(`${anvil.url}/api/trpc/services.flavors?input=${encodeURIComponent(JSON.stringify({ poolId: 'edge' }))}`, { headers: { cookie } });
    expect(((await flavors.json()) as TBody).result.data[0]).toMatchObject({ isAvailable: false, unavailableReason: 'The pool has no node.' });
    const tls = await trpc('pools.addNode', { poolId: 'edge', name: 'n1', endpoint: 'tcp://host:2376' });
    expect(tls.error).toMatchObject({ data: { code: 'BAD_REQUEST', field: 'tls.ca' } });
    const cpus = await trpc('pools.addNode', { poolId: 'edge', name: 'n1', endpoint: 'unix:///var/run/docker.sock', allocatable: { cpus: 0, memoryGiB: 1 } });
    expect(cpus.error).toMatchObject({ message: 'At least 1.', data: { field: 'allocatable.cpus' } });
    expect((await trpc('pools.createPool', { id: 'Bad' })).error).toMatchObject({ data: { field: 'id' } });
  });
});

/** Uploads and imports examples/iris, deploys it on pool docker over REST and waits until it runs. */
async function deployIrisOnDocker(): Promise<string> {
  const headers = { 'x-auth-token': admin.token };
  expect((await fetch(`${anvil.url}/obs/pool-suite`, { method: 'PUT', headers })).status).toBe(201);
  const upload = await fetch(`${anvil.url}/obs/pool-suite/iris?extract=zip`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/zip' }, body: zipFolder(path.resolve('examples/iris/model')) });
  expect(upload.status).toBe(201);
  const model = await call(`/v1/${admin.projectId}/models`, 'POST', { model_name: 'iris', source_location: 'obs://pool-suite/iris' });
  expect(model.status).toBe(201);
  await waitFor(async () => (await call(`/v1/${admin.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, 'iris imported');
  const service = await call(`/v1/${admin.projectId}/services`, 'POST', { service_name: 'iris-pool', pool_name: 'docker', config: [{ model_id: model.body.model_id, specification: 'cpu.1u2g' }] });
  expect(service.status).toBe(201);
  const id = service.body.service_id as string;
  await waitFor(async () => (await call(`/v1/${admin.projectId}/services/${id}`)).body.status === 'running', 60_000, 'iris running on docker');
  return id;
}
