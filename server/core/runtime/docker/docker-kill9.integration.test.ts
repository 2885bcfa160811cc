/**
 * kill -9 of Anvil with containers on the Docker pool: a real Anvil process (as `npm start` runs it)
 * is killed while serving and while deploying; the next Anvil adopts what should run, keeps the
 * same containers, starts none twice, and leaves nothing behind once the services are deleted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { dockerSuiteProblem } from '../../../test-support/docker-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, waitFor, zipFolder } from '../../../test-support/anvil-harness';

const engine = new Docker();
const problem = await dockerSuiteProblem();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-kill9-'));
let port = 0;
let child: ChildProcess | undefined;
let auth: { token: string; projectId: string };
let modelId = '';
const url = () => `http://127.0.0.1:${port}`;

async function startAnvil(): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--no-console'], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', ANVIL_DATA_DIR: dataDir, ANVIL_ADMIN_PASSWORD: 'integration-pass',
      ANVIL_REGISTRY_PORT: '0', ANVIL_DEFAULT_POOL: 'docker',
      // Four idle cpu.1u2g instances on a 2-core machine: the node is declared larger.
      ANVIL_POOL_CPUS: '16', ANVIL_POOL_MEMORY_GIB: '64',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`${url()}/v3/auth/tokens`, { method: 'POST', body: '{}' }).catch(() => undefined))?.status === 400, 60_000, 'Anvil up');
  auth = await getToken(url());
}

function kill9(): Promise<void> {
  return new Promise((resolve) => {
    child!.once('exit', () => resolve());
    child!.kill('SIGKILL');
  });
}

const call = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${url()}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const detail = async (id: string) => (await call(`/v1/${auth.projectId}/services/${id}`)).body;
const containersOf = async (serviceId: string) => engine.listContainers({ all: true, filters: { label: [`anvil.service=${serviceId}`] } });
const deployed: string[] = [];
async function deploy(name: string, count: number): Promise<string> {
  const body = JSON.stringify({ service_name: name, pool_name: 'docker', config: [{ model_id: modelId, specification: 'cpu.1u2g', instance_count: count }] });
  const id = (await call(`/v1/${auth.projectId}/services`, { method: 'POST', body })).body.service_id as string;
  deployed.push(id);
  return id;
}

describe.skipIf(!!problem)('kill -9 of Anvil with containers', () => {
  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    await startAnvil();
    await call('/obs/models', { method: 'PUT' });
    await call('/obs/models/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) });
    modelId = (await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'iris', source_location: 'obs://models/iris' }) })).body.model_id;
    await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${modelId}`)).body.model_status === 'normal', 30_000, 'imported');
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) await kill9();
    // A failed run must not leave its containers behind.
    for (const id of deployed) for (const c of await containersOf(id)) await engine.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a serving service keeps its containers through kill -9 and a restart, and a deploy cut short is finished without duplicates', async () => {
    const serving = await deploy('serving', 2);
    await waitFor(async () => (await detail(serving)).status === 'running', 60_000, 'serving running');
    const before = (await containersOf(serving)).map((c) => c.Id).sort();
    const cutShort = await deploy('cut-short', 2);
    await kill9();

    // Containers serve on with Anvil gone; the cut-short deploy may have started 0, 1 or 2 of its own.
    expect((await containersOf(serving)).every((c) => c.State === 'running')).toBe(true);
    await startAnvil();
    await waitFor(async () => (await detail(serving)).ready_instance_count === 2, 30_000, 'serving adopted');
    expect((await containersOf(serving)).map((c) => c.Id).sort()).toEqual(before);
    await waitFor(async () => (await detail(cutShort)).status === 'running', 60_000, 'cut-short running');
    expect(await containersOf(cutShort)).toHaveLength(2);
    const ids = (await detail(cutShort)).instances.map((i: { containerId: string }) => i.containerId).sort();
    expect((await containersOf(cutShort)).map((c) => c.Id).sort()).toEqual(ids);

    for (const id of [serving, cutShort]) expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor(async () => (await containersOf(serving)).length + (await containersOf(cutShort)).length === 0, 20_000, 'no container left');
  }, 240_000);
});
