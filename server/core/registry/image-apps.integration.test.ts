/**
 * Guide §2.2.4: an AI application from a container image. The example image (npm run images --
 * --example) is pushed to Anvil's repository with the docker CLI, registered, deployed on the
 * Docker pool, called through the gateway; its liveness probe restarts it when /health fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { dockerCli, dockerSuiteProblem } from '../../test-support/docker-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TCreateImageApp } from '../../contracts/apps';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';

const EXAMPLE = 'anvil/example-custom:1.0';
const engine = new Docker();
const problem = await dockerSuiteProblem(EXAMPLE, 'npm run images -- --example');

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let userId: string;
let dockerConfig: string;
const pushed: string[] = [];

const docker = (args: string[], input = '') => dockerCli(args, { config: dockerConfig, input });

const call = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const appStatus = (id: string) => anvil.core.registry.summary(auth.projectId, id).status;
const appEvents = (id: string) => anvil.core.events.list('app', id).map((e) => e.message).reverse();
const serviceEvents = (id: string) => anvil.core.events.list('service', id).map((e) => e.message);
const PREDICT_API = JSON.stringify([{ url: '/predict', method: 'POST', request: { 'Content-type': 'application/json' }, response: { 'Content-type': 'application/json' } }]);

function createApp(input: Partial<TCreateImageApp>) {
  return anvil.core.registry.createFromImage(auth.projectId, { name: 'echo', image: 'example:1.0', apis: PREDICT_API, ...input });
}

describe.skipIf(!!problem)('AI applications from a container image', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil(undefined, { lifecycle: { restartBackoffMs: 100 } });
    auth = await getToken(anvil.url);
    userId = (anvil.core.db.prepare(`SELECT id FROM users WHERE name = 'admin'`).get() as { id: string }).id;
    dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-docker-config-'));
    const address = anvil.core.images.address();
    const { username, password } = anvil.core.images.credential({ id: auth.projectId, name: 'default' });
    expect((await docker(['login', address, '--username', username, '--password-stdin'], `${password}\n`)).code).toBe(0);
    const target = `${address}/default/example:1.0`;
    expect((await docker(['tag', EXAMPLE, target])).code).toBe(0);
    pushed.push(target);
    const push = await docker(['push', target]);
    expect(push.code, push.out).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await stopTestAnvil(anvil);
    if (dockerConfig) {
      await docker(['rmi', ...pushed]);
      fs.rmSync(dockerConfig, { recursive: true, force: true });
    }
  });

  it('registers the pushed image, deploys it on the Docker pool and serves its API through the gateway', async () => {
    const app = createApp({ probes: { readiness: { checkMethod: 'HTTP', url: '/health', periodSeconds: 1, initialDelaySeconds: 0, timeoutSeconds: 1, failureThreshold: 2 } } });
    expect(app.status).toBe('building');
    await waitFor(async () => appStatus(app.id) === 'normal', 20_000, 'the image app');
    expect(appEvents(app.id)).toEqual(['Start model import.', 'Source image size calculated successfully.', 'Model imported successfully.']);
    expect(anvil.core.registry.summary(auth.projectId, app.id)).toMatchObject({ sourceType: 'image', sourceUri: 'example:1.0', modelType: 'Image' });
    expect(anvil.core.registry.summary(auth.projectId, app.id).sizeBytes).toBeGreaterThan(1024 ** 2);

    const onLocal = () => anvil.core.services.create(auth.projectId, { name: 'echo-local', appId: app.id, flavor: 'cpu.1u2g', pool: 'local' }, userId);
    expect(onLocal).toThrow(expect.objectContaining({ field: 'pool', message: 'echo 0.0.1 runs its own container image: deploy it on a Docker pool.' }));

    const service = anvil.core.services.create(auth.projectId, { name: 'echo', appId: app.id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 60_000, 'echo running');
    const predicted = await call(`/v1/infers/${service.id}/predict`, { method: 'POST', body: JSON.stringify({ data: [1, 2, 3.5] }) });
    expect(predicted.status).toBe(200);
    expect(predicted.body).toMatchObject({ sum: 6.5 });
    await anvil.core.services.delete(auth.projectId, service.id);
  });

  it('a liveness probe that starts failing restarts the instance, and the event says so', async () => {
    const app = createApp({
      version: '0.0.2',
      probes: { liveness: { checkMethod: 'HTTP', url: '/health', periodSeconds: 1, initialDelaySeconds: 0, timeoutSeconds: 1, failureThreshold: 2 } },
    });
    await waitFor(async () => appStatus(app.id) === 'normal', 20_000, 'the image app');
    const service = anvil.core.services.create(auth.projectId, { name: 'echo-liveness', appId: app.id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 60_000, 'running');
    const [before] = anvil.core.services.get(auth.projectId, service.id).instances;
    expect((await docker(['exec', before.containerId!, 'touch', '/tmp/unhealthy'])).code).toBe(0);

    await waitFor(async () => serviceEvents(service.id).some((m) => m.startsWith(`Instance ${before.id} failed its liveness probe 2 times in a row`)), 15_000, 'the liveness event');
    await waitFor(async () => {
      const [now] = anvil.core.services.get(auth.projectId, service.id).instances;
      return now?.status === 'ready' && now.restarts === 1 && now.containerId !== before.containerId;
    }, 30_000, 'a restarted instance');
    expect(anvil.core.services.summary(auth.projectId, service.id).status).toBe('running');
    await anvil.core.services.delete(auth.projectId, service.id);
  });

  it('EXEC probes run in the container: a passing startup probe, then a readiness command that starts failing', async () => {
    const exec = (command: string) => ({ checkMethod: 'EXEC' as const, command, periodSeconds: 1, initialDelaySeconds: 0, timeoutSeconds: 2, failureThreshold: 2 });
    const app = createApp({ version: '0.0.4', probes: { startup: exec('test -d /proc/self'), readiness: exec('test ! -f /tmp/unhealthy') } });
    await waitFor(async () => appStatus(app.id) === 'normal', 20_000, 'the image app');
    const service = anvil.core.services.create(auth.projectId, { name: 'exec-probes', appId: app.id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 60_000, 'running');
    const [instance] = anvil.core.services.get(auth.projectId, service.id).instances;
    expect((await docker(['exec', instance.containerId!, 'touch', '/tmp/unhealthy'])).code).toBe(0);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'concerning', 15_000, 'out of routing');
    expect(serviceEvents(service.id)[0]).toBe(`Instance ${instance.id} failed 2 health checks in a row; it no longer receives requests.`);
    expect((await docker(['exec', instance.containerId!, 'rm', '/tmp/unhealthy'])).code).toBe(0);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 15_000, 'back in routing');
    await anvil.core.services.delete(auth.projectId, service.id);
  });

  it('an EXEC startup probe gates readiness: a command that never passes restarts the instance', async () => {
    const app = createApp({
      version: '0.0.3',
      probes: { startup: { checkMethod: 'EXEC', command: 'test -f /tmp/never', periodSeconds: 1, initialDelaySeconds: 0, timeoutSeconds: 1, failureThreshold: 2 } },
    });
    await waitFor(async () => appStatus(app.id) === 'normal', 20_000, 'the image app');
    const service = anvil.core.services.create(auth.projectId, { name: 'never-starts', appId: app.id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => serviceEvents(service.id).some((m) => /failed its startup probe 2 times in a row; restarting it\.$/.test(m)), 20_000, 'the startup event');
    expect(anvil.core.services.summary(auth.projectId, service.id).readyInstances).toBe(0);
    await anvil.core.services.delete(auth.projectId, service.id);
  });

  it('imports a model_type Image package from object storage: config.json alone, its swr_location in the repository', async () => {
    const config = {
      model_algorithm: 'echo', model_type: 'Image', swr_location: 'default/example:1.0',
      apis: JSON.parse(PREDICT_API), health: { check_method: 'HTTP', url: '/health', period_seconds: 1, failure_threshold: 2 },
    };
    const { zipSync, strToU8 } = await import('fflate');
    await call('/obs/images', { method: 'PUT' });
    expect((await call('/obs/images/echo?extract=zip', { method: 'PUT', body: zipSync({ 'model/config.json': strToU8(JSON.stringify(config)) }) })).status).toBe(201);
    const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'echo-obs', source_location: 'obs://images/echo' }) });
    expect(model.status).toBe(201);
    await waitFor(async () => appStatus(model.body.model_id) === 'normal', 20_000, 'the Image package');
    expect(appEvents(model.body.model_id)).toContain('Source image size calculated successfully.');
    const service = anvil.core.services.create(auth.projectId, { name: 'echo-obs', appId: model.body.model_id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 60_000, 'running');
    expect((await call(`/v1/infers/${service.id}/predict`, { method: 'POST', body: JSON.stringify({ data: [2, 2] }) })).body).toMatchObject({ sum: 4 });
    await anvil.core.services.delete(auth.projectId, service.id);
  });

  it('pins each version to the digest it was created from: re-pushing the tag changes new versions only; ".." never resolves', async () => {
    const pinned = createApp({ version: '0.2.0' });
    await waitFor(async () => appStatus(pinned.id) === 'normal', 20_000, 'the pinned app');
    const pinnedImage = anvil.core.registry.get(auth.projectId, pinned.id).container!.image;
    expect(pinnedImage).toMatch(/^127\.0\.0\.1:\d+\/default\/example@sha256:[0-9a-f]{64}$/);
    // Another image pushed under the same tag.
    const target = `${anvil.core.images.address()}/default/example:1.0`;
    expect((await docker(['tag', 'anvil/debian-python:bookworm', target])).code).toBe(0);
    expect((await docker(['push', target])).code).toBe(0);
    const repushed = createApp({ version: '0.2.1' });
    await waitFor(async () => appStatus(repushed.id) === 'normal', 20_000, 'the re-pushed app');
    expect(anvil.core.registry.get(auth.projectId, repushed.id).container!.image).not.toBe(pinnedImage);

    const service = anvil.core.services.create(auth.projectId, { name: 'pinned', appId: pinned.id, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => anvil.core.services.summary(auth.projectId, service.id).status === 'running', 60_000, 'pinned running');
    const [instance] = anvil.core.services.get(auth.projectId, service.id).instances;
    expect((await engine.getContainer(instance.containerId!).inspect()).Config.Image).toBe(pinnedImage);
    await anvil.core.services.delete(auth.projectId, service.id);
    // Put the example back under its tag for the other cases.
    expect((await docker(['tag', EXAMPLE, target])).code).toBe(0);
    expect((await docker(['push', target])).code).toBe(0);

    const { zipSync, strToU8 } = await import('fflate');
    const sneaky = { model_algorithm: 'x', model_type: 'Image', swr_location: 'default/x/../example:1.0' };
    await call('/obs/images', { method: 'PUT' });
    await call('/obs/images/sneaky?extract=zip', { method: 'PUT', body: Buffer.from(zipSync({ 'model/config.json': strToU8(JSON.stringify(sneaky)) })) });
    const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'sneaky', source_location: 'obs://images/sneaky' }) });
    await waitFor(async () => appStatus(model.body.model_id) === 'failed', 20_000, 'the refused swr_location');
    expect(appEvents(model.body.model_id)).toEqual(['Start model import.', 'Failed to access source image. Check whether the image exists.', 'Failed to import the model.']);
  });

  it('refuses a forbidden start command and bad probes in the form, and fails a missing tag with the guide events', async () => {
    expect(() => createApp({ version: '0.1.0', startCommand: 'python3 server.py > /tmp/log' })).toThrow(expect.objectContaining({ field: 'startCommand' }));
    expect(() => createApp({ version: '0.1.0', startCommand: 'run --privileged' })).toThrow('must not contain "--privileged"');
    const badProbe = { checkMethod: 'EXEC' as const, periodSeconds: 0, initialDelaySeconds: 0, timeoutSeconds: 1, failureThreshold: 1 };
    expect(() => createApp({ version: '0.1.0', probes: { liveness: badProbe } })).toThrow(expect.objectContaining({ field: 'probes.liveness.periodSeconds' }));
    expect(() => createApp({ version: '0.1.0', apis: '[{"url": "predict"}]' })).toThrow(expect.objectContaining({ field: 'apis' }));
    expect(() => createApp({ version: '0.1.0', apis: '{' })).toThrow(expect.objectContaining({ field: 'apis' }));
    expect(anvil.core.registry.list(auth.projectId).flatMap((g) => g.versions).some((v) => v.version === '0.1.0')).toBe(false);

    const missing = createApp({ version: '0.1.1', image: 'example:9.9' });
    await waitFor(async () => appStatus(missing.id) === 'failed', 20_000, 'the failed import');
    expect(appEvents(missing.id)).toEqual(['Start model import.', 'Image default/example does not have the 9.9 tag.', 'Failed to import the model.']);
    const unknown = createApp({ version: '0.1.2', image: 'nothing-here:1' });
    await waitFor(async () => appStatus(unknown.id) === 'failed', 20_000, 'the failed import');
    expect(appEvents(unknown.id)[1]).toBe('Failed to access source image. Check whether the image exists.');
  });
});
