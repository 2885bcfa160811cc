/**
 * Issue 6: an AI application with `dependencies` gets its own image, built on the node from Anvil's
 * runtime image with pip installing the wheels shipped in its package (no index is reachable). A
 * second deploy of the unchanged package is a cache hit; a package pip cannot find fails the build
 * with the guide's events and pip's log. Real engine, real pip.
 */
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { strToU8, zipSync } from 'fflate';
import { dockerSuiteProblem } from '../../test-support/docker-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';

const engine = new Docker();
const problem = await dockerSuiteProblem();

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let userId: string;

/** A pure-Python wheel made by hand: what a data scientist ships in `model/wheels/`. */
function wheel(name: string, version: string, source: string): Uint8Array {
  const dist = `${name}-${version}.dist-info`;
  const files: Record<string, string> = {
    [`${name}/__init__.py`]: source,
    [`${dist}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${dist}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: anvil-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = Object.entries(files).map(([p, text]) => {
    const digest = crypto.createHash('sha256').update(text).digest('base64url');
    return `${p},sha256=${digest},${Buffer.byteLength(text)}`;
  });
  files[`${dist}/RECORD`] = `${record.join('\n')}\n${dist}/RECORD,,\n`;
  return zipSync(Object.fromEntries(Object.entries(files).map(([p, text]) => [p, strToU8(text)])));
}

const SERVICE = `from model_service.model_service import SingleNodeService
import anvil_demo_dep


class DepService(SingleNodeService):
    def _inference(self, data):
        return {"greeting": anvil_demo_dep.GREETING}
`;

function packageZip(requirement: { package_name: string; package_version: string; restraint: string }): Uint8Array {
  const config = {
    model_algorithm: 'dependency_demo', model_type: 'MindSpore', runtime: 'aarch64',
    apis: [{ url: '/', method: 'post', request: { 'Content-type': 'application/json' }, response: { 'Content-type': 'application/json' } }],
    dependencies: [{ installer: 'pip', packages: [requirement] }],
  };
  return zipSync({
    'model/config.json': strToU8(JSON.stringify(config)),
    'model/customize_service.py': strToU8(SERVICE),
    'model/wheels/anvil_demo_dep-1.0.0-py3-none-any.whl': wheel('anvil_demo_dep', '1.0.0', 'GREETING = "installed by pip at image build"\n'),
  });
}

const call = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function importPackage(name: string, zip: Uint8Array): Promise<string> {
  await call('/obs/deps', { method: 'PUT' });
  expect((await call(`/obs/deps/${name}?extract=zip`, { method: 'PUT', body: Buffer.from(zip) })).status).toBe(201);
  const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: name, source_location: `obs://deps/${name}` }) });
  expect(model.status).toBe(201);
  await waitFor(async () => anvil.core.registry.summary(auth.projectId, model.body.model_id).status === 'normal', 20_000, `${name} imported`);
  return model.body.model_id as string;
}

const appEvents = (id: string) => anvil.core.events.list('app', id).map((e) => e.message).reverse();
const serviceEvents = (id: string) => anvil.core.events.list('service', id).map((e) => e.message).reverse();
const statusOf = (id: string) => anvil.core.services.summary(auth.projectId, id).status;

describe.skipIf(!!problem)('images of AI applications with dependencies', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil(undefined, { deployMinuteMs: 3_000, lifecycle: { restartBackoffMs: 100 } });
    auth = await getToken(anvil.url);
    userId = (anvil.core.db.prepare(`SELECT id FROM users WHERE name = 'admin'`).get() as { id: string }).id;
  }, 60_000);
  afterAll(() => stopTestAnvil(anvil));

  it('builds the image with pip from the shipped wheels, serves from it, and reuses it for an unchanged package', async () => {
    const appId = await importPackage('with-deps', packageZip({ package_name: 'anvil_demo_dep', package_version: '1.0.0', restraint: 'EXACT' }));
    const onLocal = () => anvil.core.services.create(auth.projectId, { name: 'deps-local', appId, flavor: 'cpu.1u2g', pool: 'local' }, userId);
    expect(onLocal).toThrow('with-deps 0.0.1 installs packages (dependencies): deploy it on a Docker pool, where Anvil builds its image.');

    const first = anvil.core.services.create(auth.projectId, { name: 'deps-1', appId, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => statusOf(first.id) === 'running', 120_000, 'deps-1 running');
    const predicted = await call(`/v1/infers/${first.id}`, { method: 'POST', body: '{}' });
    expect(predicted.body).toMatchObject({ greeting: 'installed by pip at image build' });
    expect(serviceEvents(first.id).slice(0, 4)).toEqual(['Start to deploy service.', 'Start to build image.', 'Image built successfully.', expect.stringMatching(/^Instance \S+ is ready\.$/)]);
    const [instance] = anvil.core.services.get(auth.projectId, first.id).instances;
    const info = await engine.getContainer(instance.containerId!).inspect();
    expect(info.Config.Image).toMatch(new RegExp(`^anvil-app/${appId}:[0-9a-f]{16}$`));
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    await anvil.core.services.delete(auth.projectId, first.id);

    const second = anvil.core.services.create(auth.projectId, { name: 'deps-2', appId, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => statusOf(second.id) === 'running', 60_000, 'deps-2 running');
    expect(serviceEvents(second.id)).not.toContain('Start to build image.');
    expect(appEvents(appId)).toEqual([
      'Start model import.', 'Model file imported successfully.', 'Model size calculated successfully.', 'Model imported successfully.',
      'Start the image building task.', 'Image built successfully.', 'Use cached env image.',
    ]);
    await anvil.core.services.delete(auth.projectId, second.id);
  });

  it('a dependency pip cannot find fails the build with the guide events and pip\'s log, and the deploy fails', async () => {
    const appId = await importPackage('missing-dep', packageZip({ package_name: 'anvil_demo_dep', package_version: '9.9.9', restraint: 'ATLEAST' }));
    const service = anvil.core.services.create(auth.projectId, { name: 'deps-missing', appId, flavor: 'cpu.1u2g', pool: 'docker' }, userId);
    await waitFor(async () => statusOf(service.id) === 'failed', 120_000, 'the failed deploy');
    const failedBuild = serviceEvents(service.id).find((m) => m.startsWith('Failed to build image for model (missing-dep 0.0.1), docker build log:\n'));
    expect(failedBuild).toMatch(/No matching distribution found for anvil_demo_dep>=9\.9\.9/);
    expect(appEvents(appId)).toContain('Failed to build the image. For details, view the building log.');
    expect(anvil.core.registry.get(auth.projectId, appId).buildLog).toMatch(/No matching distribution found/);
    await anvil.core.services.delete(auth.projectId, service.id);
  });
});
