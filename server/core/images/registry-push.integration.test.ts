/**
 * The image repository end to end: a real Anvil (gate on a free port, managed docker-registry), the
 * real docker CLI pushing an image made with `docker import` (nothing pulled), and the REST API.
 * Each run uses its own DOCKER_CONFIG and removes the images it tagged.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';
import { findExecutable } from './registry-manager';
import { ImageSourceError } from './registry-service';

const hasDocker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore' }).status === 0;
const hasRegistry = !!findExecutable('docker-registry', process.env.PATH);
if ((!hasDocker || !hasRegistry) && process.env.CI === 'true') throw new Error('The container suites need a Docker Engine and docker-registry under CI.');

let anvil: TTestAnvil;
let api: (p: string, init?: RequestInit) => Promise<Response>;
let projectA: { id: string; name: string };
let projectB: { id: string; name: string };
let address: string;
let dockerConfig: string;
const image = `anvil-it-${process.pid}-${Date.now()}`;
const tagged: string[] = [];

/** Runs the docker CLI without blocking (Anvil's gate answers from this same process). */
function docker(args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const login = (username: string, password: string) => docker(['login', address, '--username', username, '--password-stdin'], `${password}\n`);

async function tagAndPush(ref: string): Promise<{ code: number; out: string }> {
  const target = `${address}/${ref}`;
  expect((await docker(['tag', `${image}:1`, target])).code).toBe(0);
  tagged.push(target);
  return docker(['push', target]);
}

async function catalogAs(username: string, password: string): Promise<string[]> {
  const res = await fetch(`http://${address}/v2/_catalog`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } });
  return ((await res.json()) as { repositories: string[] }).repositories;
}

describe.skipIf(!hasDocker || !hasRegistry)('pushing to the image repository with the docker CLI', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil();
    const { token, projectId } = await getToken(anvil.url);
    api = (p, init = {}) => fetch(`${anvil.url}/v1/${projectId}${p}`, { ...init, headers: { 'x-auth-token': token, ...init.headers } });
    projectA = { id: projectId, name: 'default' };
    const b = anvil.core.directory.createProject({ name: 'team-b' });
    projectB = { id: b.id, name: b.name };
    address = anvil.core.images.address();
    dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-docker-config-'));
    // A one-file image, imported: no registry on the internet is involved.
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-image-'));
    fs.writeFileSync(path.join(context, 'hello.txt'), 'hello from anvil\n');
    // 8 MiB that do not compress: the layer streams through the gate in many chunks.
    fs.writeFileSync(path.join(context, 'noise.bin'), crypto.randomBytes(8 * 1024 * 1024));
    spawnSync('tar', ['-C', context, '-cf', path.join(context, 'image.tar'), 'hello.txt', 'noise.bin']);
    const imported = await docker(['import', path.join(context, 'image.tar'), `${image}:1`]);
    fs.rmSync(context, { recursive: true, force: true });
    expect(imported.code, imported.out).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (dockerConfig) {
      await docker(['logout', address]);
      await docker(['rmi', ...tagged, `${image}:1`]);
      fs.rmSync(dockerConfig, { recursive: true, force: true });
    }
    await stopTestAnvil(anvil);
  });

  it('publishes its REST routes in a valid OpenAPI document', async () => {
    const doc = (await (await fetch(`${anvil.url}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0])).toEqual({ valid: true });
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(operations).toEqual(expect.arrayContaining(['listImageRepositories', 'listImageTags', 'getRegistryCredential', 'resetRegistryCredential', 'deleteImageTag']));
  });

  it('gives each project credentials and a login command', async () => {
    const res = await api('/images/credentials');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { username: string; password: string; address: string; login_command: string };
    expect(body).toMatchObject({ username: 'default', address });
    expect(body.login_command).toBe(`docker login ${address} --username default --password-stdin`);
    expect(((await (await api('/images/credentials')).json()) as { password: string }).password).toBe(body.password);
  });

  it('lets a project push into its namespace and lists the tag with digest and size', async () => {
    const { password } = anvil.core.images.credential(projectA);
    const logged = await login('default', password);
    expect(logged.code, logged.out).toBe(0);
    const pushed = await tagAndPush('default/hello:v1');
    expect(pushed.code, pushed.out).toBe(0);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed.out)?.[1];
    expect(digest).toBeDefined();

    const res = await api('/images');
    expect(res.status).toBe(200);
    const { repositories } = (await res.json()) as { repositories: { name: string; path: string; tags: { tag: string; digest: string; size: number; created_at: number; pushed_at: number; image: string }[] }[] };
    expect(repositories).toHaveLength(1);
    expect(repositories[0]).toMatchObject({ name: 'hello', path: `${address}/default/hello` });
    expect(repositories[0].tags).toEqual([
      { tag: 'v1', digest, size: expect.any(Number), created_at: expect.any(Number), pushed_at: expect.any(Number), image: `${address}/default/hello:v1` },
    ]);
    expect(Math.abs(repositories[0].tags[0].pushed_at - Date.now())).toBeLessThan(60_000);
    expect(repositories[0].tags[0].size).toBeGreaterThan(8 * 1024 * 1024);

    const resolved = await anvil.core.images.resolveImage('default', 'hello', 'v1');
    expect(resolved).toEqual({ reference: `127.0.0.1:${anvil.core.images.gate.port()}/default/hello@${digest}`, digest });
  });

  it('serves nested repository names, escaped in the REST path', async () => {
    const pushed = await tagAndPush('default/team/app:2');
    expect(pushed.code, pushed.out).toBe(0);
    const res = await api('/images/team%2Fapp/tags');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: { tag: string }[] }).tags.map((t) => t.tag)).toEqual(['2']);
    expect((await api('/images/nothing-here/tags')).status).toBe(404);
    expect((await api('/images/Bad%20Name/tags')).status).toBe(400);
  });

  it("refuses a cross-project blob mount, in the query or hidden in a form body, and resolves no name with '..'", async () => {
    const a = anvil.core.images.credential(projectA);
    const manifest = await fetch(`http://${address}/v2/default/hello/manifests/v1`, {
      headers: { authorization: `Basic ${Buffer.from(`default:${a.password}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const layer = ((await manifest.json()) as { layers: { digest: string }[] }).layers[0].digest;
    const b = anvil.core.images.credential(projectB);
    const asB = { authorization: `Basic ${Buffer.from(`${b.username}:${b.password}`).toString('base64')}` };
    const inQuery = await fetch(`http://${address}/v2/team-b/copy/blobs/uploads/?mount=${layer}&from=default/hello`, { method: 'POST', headers: asB });
    expect(inQuery.status).toBe(202); // a plain upload: nothing was mounted
    const inBody = await fetch(`http://${address}/v2/team-b/copy/blobs/uploads/`, {
      method: 'POST', headers: { ...asB, 'content-type': 'application/x-www-form-urlencoded' }, body: `mount=${encodeURIComponent(layer)}&from=default%2Fhello`,
    });
    expect(inBody.status).toBe(415);
    expect((await fetch(`http://${address}/v2/team-b/copy/blobs/${layer}`, { method: 'HEAD', headers: asB })).status).toBe(404);
    await expect(anvil.core.images.resolveImage('team-b', '../default/hello', 'v1')).rejects.toMatchObject({ event: { code: 'A19' } });
    await expect(anvil.core.images.resolveImage('team-b', 'x/../../default/hello', 'v1')).rejects.toMatchObject({ event: { code: 'A19' } });
  });

  it('one project holding many stalled uploads open cannot block another project', async () => {
    const a = anvil.core.images.credential(projectA);
    const [host, port] = address.split(':');
    const stalled: http.ClientRequest[] = [];
    const statuses: number[] = [];
    // Uploads that announce a body and never send it all: each holds a request to the registry.
    for (let i = 0; i < 33; i++) {
      const req = http.request({
        host, port: Number(port), method: 'PATCH', path: '/v2/default/stall/blobs/uploads/x',
        headers: { authorization: `Basic ${Buffer.from(`default:${a.password}`).toString('base64')}`, 'content-length': '1000000', 'content-type': 'application/octet-stream' },
      });
      req.on('response', (r) => (statuses.push(r.statusCode ?? 0), r.resume()));
      req.on('error', () => undefined);
      req.write('x');
      stalled.push(req);
    }
    await waitFor(async () => statuses.includes(429), 10_000, 'the 33rd upload refused');
    const b = anvil.core.images.credential(projectB);
    const started = Date.now();
    const other = await fetch(`http://${address}/v2/_catalog`, { headers: { authorization: `Basic ${Buffer.from(`${b.username}:${b.password}`).toString('base64')}` } });
    expect(other.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const req of stalled) req.destroy();
  });

  it("refuses a push into another project's namespace", async () => {
    const pushed = await tagAndPush('team-b/hello:v1');
    expect(pushed.code).not.toBe(0);
    expect(pushed.out).toMatch(/denied/);
    const b = anvil.core.images.credential(projectB);
    expect(await catalogAs(b.username, b.password)).toEqual([]);
  });

  it('refuses a wrong password', async () => {
    const refused = await login('default', 'not-the-password');
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/unauthorized|401/i);
    const res = await fetch(`http://${address}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Anvil image repository"');
    expect(await res.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
  });

  it("shows each project only its own repositories in /v2/_catalog", async () => {
    const b = anvil.core.images.credential(projectB);
    expect((await login(b.username, b.password)).code).toBe(0);
    const pushed = await tagAndPush('team-b/tools:1');
    expect(pushed.code, pushed.out).toBe(0);
    const a = anvil.core.images.credential(projectA);
    expect(await catalogAs(a.username, a.password)).toEqual(['default/hello', 'default/team/app']);
    expect(await catalogAs(b.username, b.password)).toEqual(['team-b/tools']);
    const denied = await fetch(`http://${address}/v2/team-b/tools/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`default:${a.password}`).toString('base64')}` } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: { code: string }[] }).errors[0].code).toBe('DENIED');
  });

  it('makes the old password fail after a reset', async () => {
    const old = anvil.core.images.credential(projectA).password;
    const res = await api('/images/credentials/reset', { method: 'POST' });
    expect(res.status).toBe(200);
    const renewed = (await res.json()) as { password: string };
    expect(renewed.password).not.toBe(old);
    expect((await login('default', old)).code).not.toBe(0);
    expect((await login('default', renewed.password)).code).toBe(0);
  });

  it('deletes a tag, which leaves the listing, and resolves missing images with the guide texts', async () => {
    const res = await api('/images/hello/tags/v1', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ removed_tags: ['v1'] });
    const { repositories } = (await (await api('/images')).json()) as { repositories: { name: string }[] };
    expect(repositories.map((r) => r.name)).toEqual(['team/app']);
    expect((await api('/images/hello/tags/v1', { method: 'DELETE' })).status).toBe(404);

    const missingTag = await anvil.core.images.resolveImage('default', 'team/app', 'nope').catch((e: unknown) => e);
    expect(missingTag).toBeInstanceOf(ImageSourceError);
    expect(missingTag).toMatchObject({ message: 'Image default/team/app does not have the nope tag.', event: { code: 'A7' } });
    const missingRepo = await anvil.core.images.resolveImage('default', 'ghost', '1').catch((e: unknown) => e);
    expect(missingRepo).toMatchObject({ message: 'Failed to access source image. Check whether the image exists.', event: { code: 'A19' } });
  });
});
