/**
 * The base runtime image built by `npm run images`, run under the limits Anvil gives instances.
 * Without the image this file skips, except in CI (CI=true), where a missing image is a failure.
 */
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { baseRuntimeImage, IMAGE_LABEL, listBuiltRuntimes } from './base-images';

const docker = new Docker();
const IMAGE = baseRuntimeImage(path.resolve('server/runtimes/python'));
const MEMORY = 64 * 1024 ** 2;
const IRIS_MODEL = path.resolve('examples/iris/model');

async function imageMissing(): Promise<string | undefined> {
  try {
    await docker.ping();
  } catch (e) {
    return `the docker daemon does not answer (${(e as Error).message})`;
  }
  return docker
    .getImage(IMAGE)
    .inspect()
    .then(
      () => undefined,
      () => `${IMAGE} is not built (npm run images)`,
    );
}

const missing = await imageMissing();
if (missing && process.env.CI !== 'true') console.warn(`base-images integration tests skipped: ${missing}`);

const containers: Docker.Container[] = [];
afterAll(async () => {
  await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => undefined)));
});

/** A container as Anvil would start one: 64 MiB, no swap, no capabilities, read-only root, /tmp in memory. */
async function create(opts: Partial<Docker.ContainerCreateOptions>, hostConfig: Docker.HostConfig = {}): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: IMAGE,
    Tty: true, // one raw output stream, no multiplexing headers
    Labels: { 'anvil.test': 'base-images' },
    ...opts,
    HostConfig: {
      Memory: MEMORY,
      MemorySwap: MEMORY,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=16m' },
      ...hostConfig,
    },
  });
  containers.push(container);
  return container;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.runIf(missing && process.env.CI === 'true')('base runtime image in CI', () => {
  it('is built before the tests run', () => {
    expect.fail(`${missing}: CI builds it with \`npm run images -- --example\` before \`npm test\`.`);
  });
});

describe.skipIf(!!missing)(`base runtime image ${IMAGE}`, () => {
  it('imports numpy as user 65534 within 64 MiB', async () => {
    const script = 'import numpy, os; print(numpy.__version__, os.getuid(), os.getgid(), float(numpy.arange(4).sum()))';
    const container = await create({ Cmd: ['python3', '-c', script] }, { NetworkMode: 'none' });
    await container.start();
    const { StatusCode } = await container.wait();
    const out = (await container.logs({ stdout: true, stderr: true })).toString().trim();
    expect(StatusCode, out).toBe(0);
    expect(out).toMatch(/^1\.\d+\.\d+ 65534 65534 6\.0$/);
  });

  it('carries the labels, user and entry point the docker driver relies on', async () => {
    const { Config } = await docker.getImage(IMAGE).inspect();
    expect(Config.User).toBe('65534:65534');
    expect(Config.Labels?.[IMAGE_LABEL.variant]).toBe('base');
    expect(Config.Labels?.[IMAGE_LABEL.serverHash]).toBe(IMAGE.split(':')[1]);
    expect(Config.Labels?.[IMAGE_LABEL.runtime]).toMatch(/^python3\.\d+-numpy\d+\.\d+$/);
    expect(Config.Cmd).toEqual(['python3', '/opt/anvil/server/anvil_model_server.py']);
    expect(Config.Env).toContain('ANVIL_BIND_HOST=0.0.0.0');

    const built = await listBuiltRuntimes(docker);
    const base = built.find((b) => b.image === IMAGE);
    expect(base).toMatchObject({ variant: 'base', runtime: Config.Labels?.[IMAGE_LABEL.runtime] });
    expect(base?.sizeBytes).toBeGreaterThan(50e6);
    expect(base?.createdAt).toBeGreaterThan(Date.parse('2024-01-01'));
  });

  it('serves a mounted example model on 0.0.0.0:8080 within 64 MiB', async () => {
    const container = await create(
      { Env: ['ANVIL_MODEL_NAME=iris'], ExposedPorts: { '8080/tcp': {} } },
      { Binds: [`${IRIS_MODEL}:/opt/anvil/model:ro`], PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    );
    await container.start();
    const info = await container.inspect();
    const port = info.NetworkSettings.Ports['8080/tcp'][0].HostPort;
    await waitForHealth(`http://127.0.0.1:${port}/health`, 15_000).catch(async (e: Error) => {
      throw new Error(`${e.message}; container log:\n${(await container.logs({ stdout: true, stderr: true })).toString()}`);
    });
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { resp_data: [{ predict_result: 'Iris-setosa' }] } });
  });
});
