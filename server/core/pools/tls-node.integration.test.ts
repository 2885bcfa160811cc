/**
 * A remote node over TCP with TLS client certificates, as an administrator adds one: the local
 * engine's API behind a TLS terminator that demands a client certificate signed by a test CA
 * (certificates made with openssl). Anvil adds it, takes its inventory, and deploys iris on it —
 * a remote node gets a built image with the model inside (no bind mount).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import Docker from 'dockerode';
import { dockerSuiteProblem } from '../../test-support/docker-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const engine = new Docker();
const problem = await dockerSuiteProblem();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-tls-'));
const pem = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
let terminator: tls.Server;
let port = 0;
let anvil: TTestAnvil;
let auth: { token: string; projectId: string };

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `dockerd --tlsverify` setups use. */
function makeCertificates(): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=anvil-test-ca');
  // A client certificate no one signed: the engine must refuse it.
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger-key.pem', '-out', 'stranger.pem', '-days', '1', '-subj', '/CN=stranger');
  for (const [name, subject, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=anvil', 'extendedKeyUsage=clientAuth'],
  ]) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

describe.skipIf(!!problem)('a remote node with TLS client certificates', () => {
  beforeAll(async () => {
    makeCertificates();
    // The engine's API over TLS, for clients whose certificate the CA signed only.
    terminator = tls.createServer({ key: pem('server-key.pem'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true }, (socket) => {
      const upstream = net.connect('/var/run/docker.sock');
      socket.pipe(upstream).pipe(socket);
      const end = () => (socket.destroy(), upstream.destroy());
      socket.on('error', end);
      upstream.on('error', end);
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    port = (terminator.address() as net.AddressInfo).port;
    anvil = await startTestAnvil(undefined, { docker: { autoDetect: false } });
    auth = await getToken(anvil.url);
  }, 60_000);

  afterAll(async () => {
    await stopTestAnvil(anvil);
    terminator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('needs the certificates, then joins a pool with its inventory and runs iris from a built image', async () => {
    const endpoint = `tcp://127.0.0.1:${port}`;
    anvil.core.pools.createPool({ id: 'remote' });
    await expect(anvil.core.pools.addNode({ poolId: 'remote', name: 'no-certs', endpoint })).rejects.toMatchObject({ field: 'tls.ca' });
    const wrongClient = { ca: pem('ca.pem'), cert: pem('stranger.pem'), key: pem('stranger-key.pem') };
    await expect(anvil.core.pools.addNode({ poolId: 'remote', name: 'wrong', endpoint, tls: wrongClient })).rejects.toMatchObject({ field: 'endpoint', message: expect.stringMatching(/does not answer/) });

    const node = await anvil.core.pools.addNode({ poolId: 'remote', name: 'edge-1', endpoint, tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') } });
    expect(node).toMatchObject({ name: 'edge-1', status: 'ready', endpoint });
    expect(node.total.cpus).toBeGreaterThan(0);
    expect(node.engineVersion).toMatch(/^\d+\./);
    // The private key is stored, never shown.
    expect(JSON.stringify(anvil.core.pools.pools())).not.toContain('PRIVATE KEY');

    const call = (p: string, init: RequestInit = {}) =>
      fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' } }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as Record<string, any> })); // eslint-disable-line @typescript-eslint/no-explicit-any
    await call('/obs/models', { method: 'PUT' });
    await fetch(`${anvil.url}/obs/models/iris?extract=zip`, { method: 'PUT', headers: { 'x-auth-token': auth.token }, body: zipFolder(path.resolve('examples/iris/model')) });
    const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'iris', source_location: 'obs://models/iris' }) });
    await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, 'iris imported');
    const created = await call(`/v1/${auth.projectId}/services`, {
      method: 'POST', body: JSON.stringify({ service_name: 'iris-remote', pool_name: 'remote', config: [{ model_id: model.body.model_id, specification: 'cpu.1u2g' }] }),
    });
    expect(created.status).toBe(201);
    const id = created.body.service_id as string;
    await waitFor(async () => (await call(`/v1/${auth.projectId}/services/${id}`)).body.status === 'running', 120_000, 'running on the remote node');
    const predicted = await call(`/v1/infers/${id}`, { method: 'POST', body: JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } }) });
    expect(JSON.stringify(predicted.body)).toContain('setosa');
    const [instance] = (await call(`/v1/${auth.projectId}/services/${id}`)).body.instances as { node: string; containerId: string }[];
    expect(instance.node).toBe('edge-1');
    const info = await engine.getContainer(instance.containerId).inspect();
    expect(info.Config.Image).toMatch(/^anvil-app\//);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(anvil.core.events.list('service', id).map((e) => e.message)).toContain('Image built successfully.');
    expect((await call(`/v1/${auth.projectId}/services/${id}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor(async () => (await engine.listContainers({ all: true, filters: { label: [`anvil.service=${id}`] } })).length === 0, 20_000, 'no container left');
  }, 240_000);
});
