/**
 * Issue 6: instances as containers on the local Docker Engine. Real engine, real runtime image
 * (`npm run images`), real HTTP. Without an engine the suite skips here and fails under CI=true.
 */
import path from 'node:path';
import Docker from 'dockerode';
import { dockerSuiteProblem } from '../../../test-support/docker-suite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../../test-support/anvil-harness';

const docker = new Docker();
const engineProblem = await dockerSuiteProblem();

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
const apps: Record<string, string> = {};

const call = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function importModel(name: string, dir: string): Promise<string> {
  await call('/obs/docker-suite', { method: 'PUT' });
  const upload = await call(`/obs/docker-suite/${name}?extract=zip`, { method: 'PUT', body: zipFolder(path.resolve(dir)), headers: { 'content-type': 'application/zip' } });
  expect(upload.status).toBe(201);
  const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: name, source_location: `obs://docker-suite/${name}` }) });
  expect(model.status).toBe(201);
  await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, `${name} imported`);
  return model.body.model_id as string;
}

function create(name: string, appId: string, extra: { specification?: string; instance_count?: number; envs?: Record<string, string>; pool_name?: string } = {}) {
  const { pool_name = 'docker', ...config } = extra;
  return call(`/v1/${auth.projectId}/services`, {
    method: 'POST',
    body: JSON.stringify({ service_name: name, pool_name, config: [{ model_id: appId, specification: 'cpu.1u2g', ...config }] }),
  });
}

const detail = async (id: string) => (await call(`/v1/${auth.projectId}/services/${id}`)).body;
const waitStatus = (id: string, status: string, timeoutMs = 60_000) => waitFor(async () => (await detail(id)).status === status, timeoutMs, `service ${status}`);
const containersOf = async (serviceId: string) => docker.listContainers({ all: true, filters: { label: [`anvil.service=${serviceId}`] } });
const events = (id: string) => anvil.core.events.list('service', id).map((e) => e.message);

describe.skipIf(!!engineProblem)('the Docker pool', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil(undefined, { deployMinuteMs: 2_000, docker: { statsIntervalMs: 300 } });
    auth = await getToken(anvil.url);
    apps.iris = await importModel('iris', 'examples/iris/model');
    apps.hog = await importModel('memory-hog', 'e2e/fixtures/memory-hog/model');
    apps.prying = await importModel('prying', 'e2e/fixtures/prying/model');
  }, 120_000);
  afterAll(() => stopTestAnvil(anvil));

  it('the local engine joined the docker pool by itself, with its inventory', () => {
    const pool = anvil.core.pools.pools().find((p) => p.id === 'docker');
    expect(pool).toMatchObject({ runtime: 'docker', unavailableReason: '' });
    expect(pool!.nodes).toHaveLength(1);
    expect(pool!.nodes[0]).toMatchObject({ name: 'local-docker', status: 'ready', isAuto: true, endpoint: 'unix:///var/run/docker.sock' });
    expect(pool!.nodes[0].engineVersion).toMatch(/^\d+\.\d+/);
  });

  it('deploys iris as one confined container per instance, predicts through the gateway, and streams its logs and stats', async () => {
    const created = await create('iris-docker', apps.iris);
    expect(created.status).toBe(201);
    const id = created.body.service_id as string;
    await waitStatus(id, 'running');
    expect((await detail(id)).pool_name).toBe('docker');

    const predicted = await call(`/v1/infers/${id}`, { method: 'POST', body: JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } }) });
    expect(predicted.status).toBe(200);
    expect(JSON.stringify(predicted.body)).toContain('setosa');

    const [summary] = await containersOf(id);
    const info = await docker.getContainer(summary.Id).inspect();
    const [instance] = (await detail(id)).instances;
    expect(instance).toMatchObject({ node: 'local-docker', containerId: info.Id });
    expect(info.Config.Labels).toMatchObject({ 'anvil.service': id, 'anvil.app': apps.iris, 'anvil.instance': instance.id, 'anvil.generation': '0' });
    expect(info.Config.User).toBe('65534:65534');
    expect(info.HostConfig).toMatchObject({ Memory: 2 * 1024 ** 3, MemorySwap: 2 * 1024 ** 3, NanoCpus: 1e9, Privileged: false, CapDrop: ['ALL'], ReadonlyRootfs: true });
    expect(info.HostConfig.Binds).toEqual([expect.stringMatching(/:\/opt\/anvil\/model:ro$/)]);
    expect(info.HostConfig.PortBindings['8080/tcp'][0].HostIp).toBe('127.0.0.1');

    await waitFor(async () => (await call(`/v1/${auth.projectId}/services/${id}/logs`)).body.lines?.some((l: { line: string }) => l.line.includes('model loaded')), 10_000, 'the model server log line');
    await waitFor(async () => anvil.core.stats.list(id).length > 0, 10_000, 'an engine stats sample');
    const [sample] = anvil.core.stats.list(id);
    expect(sample.memBytes).toBeGreaterThan(1024 ** 2);
    expect(sample.memLimitBytes).toBe(2 * 1024 ** 3);

    expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'PUT', body: JSON.stringify({ status: 'stopped' }) })).status).toBe(200);
    await waitStatus(id, 'stopped');
    expect(await containersOf(id)).toEqual([]);
    expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'PUT', body: JSON.stringify({ status: 'running' }) })).status).toBe(200);
    await waitStatus(id, 'running');
    const [restarted] = await containersOf(id);
    expect(restarted.Labels['anvil.generation']).toBe('1');
    expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor(async () => (await containersOf(id)).length === 0, 10_000, 'no container left');
  });

  it('an Anvil restart adopts the running containers: same ids, none duplicated, still serving', async () => {
    const id = (await create('adopted', apps.iris, { instance_count: 2 })).body.service_id as string;
    await waitStatus(id, 'running');
    const before = (await containersOf(id)).map((c) => c.Id).sort();
    expect(before).toHaveLength(2);

    const dataDir = anvil.dataDir;
    await anvil.close(); // containers keep serving
    expect((await containersOf(id)).map((c) => c.State)).toEqual(['running', 'running']);
    anvil = await startTestAnvil(dataDir, { deployMinuteMs: 2_000, docker: { statsIntervalMs: 300 } });
    auth = await getToken(anvil.url);

    await waitFor(async () => (await detail(id)).ready_instance_count === 2, 20_000, 'adopted instances ready');
    expect((await detail(id)).status).toBe('running');
    expect((await containersOf(id)).map((c) => c.Id).sort()).toEqual(before);
    expect((await detail(id)).instances.map((i: { containerId: string }) => i.containerId).sort()).toEqual(before);
    const predicted = await call(`/v1/infers/${id}`, { method: 'POST', body: JSON.stringify({ data: { req_data: [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }] } }) });
    expect(predicted.status).toBe(200);
    // Adoption is not a new deployment: no second "started successfully".
    expect(events(id).filter((m) => m === 'Service adopted started successfully.')).toHaveLength(1);

    await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' });
    await waitFor(async () => (await containersOf(id)).length === 0, 10_000, 'no container left');
  });

  it('a container of a deleted service, or one no record names, is removed at start', async () => {
    const id = (await create('orphaned', apps.iris)).body.service_id as string;
    await waitStatus(id, 'running');
    const dataDir = anvil.dataDir;
    await anvil.close();
    // While Anvil is down, its record of the service disappears (as if deleted by a crash mid-delete).
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(dataDir, 'anvil.db'));
    db.prepare('DELETE FROM instances WHERE service_id = ?').run(id);
    db.prepare('DELETE FROM services WHERE id = ?').run(id);
    db.close();
    expect(await containersOf(id)).toHaveLength(1);
    anvil = await startTestAnvil(dataDir, { deployMinuteMs: 2_000 });
    auth = await getToken(anvil.url);
    expect(await containersOf(id)).toEqual([]);
  });

  it('a delete completes when the node does not answer, and the node is cleaned up once it answers again', async () => {
    const id = (await create('unreachable', apps.iris)).body.service_id as string;
    await waitStatus(id, 'running');
    const { driver } = anvil.core.pools.dockerDrivers()[0];
    vi.spyOn(driver, 'stop').mockRejectedValueOnce(new Error('the engine did not stop the container within 35 s'));
    expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/${auth.projectId}/services/${id}`)).status).toBe(404);
    expect(await containersOf(id)).toHaveLength(1); // the engine "did not answer": the container is still there
    // The node is seen unreachable, then ready again: what no instance names is removed.
    const nodeId = anvil.core.pools.dockerDrivers()[0].nodeId;
    anvil.core.db.prepare(`UPDATE nodes SET status = 'unreachable' WHERE id = ?`).run(nodeId);
    (anvil.core.pools as unknown as { dockerNodes: Map<string, { row: { status: string } }> }).dockerNodes.get(nodeId)!.row.status = 'unreachable';
    await anvil.core.pools.refreshAll();
    expect(await containersOf(id)).toEqual([]);
  });

  it('refuses a spec no node can hold, and lets a deploy that does not fit now wait with the guide events', async () => {
    const gpu = await create('needs-gpu', apps.iris, { specification: 'gpu.1x.8u32g' });
    expect(gpu.status).toBe(400);
    expect(gpu.body).toMatchObject({ error_code: 'ModelArts.0101', field: 'config.0.specification' });
    expect(gpu.body.error_msg).toContain('gpu.1x.8u32g is not available in pool docker');

    // The harness declares the engine's node 16 vCPUs: three cpu.8u32g instances cannot all fit.
    const big = (await create('too-many', apps.iris, { specification: 'cpu.8u32g', instance_count: 3 })).body.service_id as string;
    await waitStatus(big, 'waiting', 5_000);
    expect(events(big).slice(0, 2)).toEqual([
      'Lack of resources, transform state to waiting.',
      'Schedule failed due to insufficient resources. Retry later. 0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.',
    ]);
    expect(await containersOf(big)).toEqual([]);
    await call(`/v1/${auth.projectId}/services/${big}`, { method: 'DELETE' });
  });

  it('holds a model to its flavor memory: over 2 GiB the engine kills it and the event says so', async () => {
    const id = (await create('hog', apps.hog, { envs: { HOG_AT_LOAD_MIB: '2300' } })).body.service_id as string;
    await waitFor(async () => events(id).some((m) => m.includes("out of memory, over its flavor's 2 GiB")), 60_000, 'the OOM event');
    expect(events(id).find((m) => m.includes('out of memory'))).toMatch(/^Instance \S+ failed to start: .*exit code 137: out of memory, over its flavor's 2 GiB/);
    await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' });
    await waitFor(async () => (await containersOf(id)).length === 0, 10_000, 'no container left');
  });

  it("model code in a container cannot reach Anvil's data directory", async () => {
    const id = (await create('prying', apps.prying, { envs: { PRY_DATA_DIR: anvil.dataDir } })).body.service_id as string;
    await waitStatus(id, 'running');
    const res = await call(`/v1/infers/${id}`, {
      method: 'POST',
      body: JSON.stringify({ read: { db: path.join(anvil.dataDir, 'anvil.db'), passwd: '/etc/shadow' }, write: { model: '/opt/anvil/model/config.json' } }),
    });
    expect(res.status).toBe(200);
    const attempts = res.body.attempts ?? res.body;
    const text = JSON.stringify(attempts);
    expect(text).not.toContain('succeeded: opened');
    expect(attempts.at_load.write_db).toMatch(/^FileNotFoundError/);
    expect(attempts.at_load.list_data_dir).toMatch(/^FileNotFoundError/);
    expect(attempts.db).toMatch(/^FileNotFoundError/);
    expect(attempts.model).toMatch(/^(OSError|PermissionError).*(Read-only|Permission denied)/);
    await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' });
  });
});
