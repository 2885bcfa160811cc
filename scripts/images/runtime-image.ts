/**
 * Runtime images: the Debian python image, a variant's extra Debian packages, and Anvil's model
 * server on top, tagged by the server's content hash. Built with the legacy builder, which uses
 * the local FROM image as is (BuildKit may want to reach a registry).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_RUNTIME_REPO, IMAGE_LABEL, serverFiles } from '../../server/core/images/base-images';
import { DEBIAN_IMAGE } from './debian-rootfs';
import { run } from './exec';

export type TVariant = { name: string; repo: string; packages: string[]; modules: string[] };

/** The base image, and variants built only when asked (`--variant <name>`). Add a variant here. */
export const VARIANTS: Record<string, TVariant> = {
  base: { name: 'base', repo: BASE_RUNTIME_REPO, packages: [], modules: ['numpy'] },
  sklearn: { name: 'sklearn', repo: `${BASE_RUNTIME_REPO}-sklearn`, packages: ['python3-sklearn'], modules: ['numpy', 'sklearn'] },
  torch: { name: 'torch', repo: `${BASE_RUNTIME_REPO}-torch`, packages: ['python3-torch'], modules: ['numpy', 'torch'] },
};

const SERVER_DIR = '/opt/anvil/server';
const MODEL_DIR = '/opt/anvil/model';
const BUILD_ENV = { ...process.env, DOCKER_BUILDKIT: '0' };

/** Prints `python3.11-numpy1.24[-sklearn1.2]`: major.minor of the interpreter and each module. */
const PROBE = [
  'import importlib, sys',
  "v = lambda s: '.'.join(s.split('.')[:2])",
  "print('python%d.%d' % sys.version_info[:2] + ''.join('-%s%s' % (m, v(importlib.import_module(m).__version__)) for m in sys.argv[1:]))",
].join('\n');

export type TRuntimeLabels = { runtime: string; serverHash: string; variant: string };

/** The Dockerfile of a variant; stage `packages` is what the runtime label is read from. */
export function runtimeDockerfile(variant: TVariant, labels?: TRuntimeLabels): string {
  const lines = [`FROM ${DEBIAN_IMAGE} AS packages`];
  if (variant.packages.length) {
    lines.push(
      `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${variant.packages.join(' ')} \\`,
      '    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin',
    );
  }
  if (!labels) return `${lines.join('\n')}\n`;
  lines.push(
    '',
    'FROM packages',
    `COPY server/ ${SERVER_DIR}/`,
    // The image's filesystem is read-only at run time: compile the byte code now, not on every start.
    `RUN python3 -m compileall -q ${SERVER_DIR}`,
    `ENV PORT=8080 ANVIL_BIND_HOST=0.0.0.0 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 ANVIL_MODEL_DIR=${MODEL_DIR}`,
    `WORKDIR ${MODEL_DIR}`,
    'USER 65534:65534',
    'EXPOSE 8080',
    `LABEL ${IMAGE_LABEL.runtime}="${labels.runtime}" ${IMAGE_LABEL.serverHash}="${labels.serverHash}" ${IMAGE_LABEL.variant}="${labels.variant}"`,
    `CMD ["python3", "${SERVER_DIR}/anvil_model_server.py"]`,
  );
  return `${lines.join('\n')}\n`;
}

/** A build context holding the Dockerfile and a clean copy of the model server (no __pycache__). */
function makeContext(serverDir: string, dockerfile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-image-ctx-'));
  for (const rel of serverFiles(serverDir)) {
    const target = path.join(dir, 'server', rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(serverDir, rel), target);
  }
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

async function dockerBuild(contextDir: string, args: string[]): Promise<string> {
  // Host network: a variant's apt-get reaches the mirror the way the host does, bridge or not.
  const out = await run('docker', ['build', '--network', 'host', ...args, contextDir], { env: BUILD_ENV });
  return /Successfully built ([0-9a-f]+)/.exec(out)?.[1] ?? '';
}

/** Builds a variant's packages stage and reads its runtime label from a container of it. */
export async function probeRuntime(serverDir: string, variant: TVariant): Promise<string> {
  const ctx = makeContext(serverDir, runtimeDockerfile(variant));
  try {
    const id = await dockerBuild(ctx, ['--target', 'packages']);
    const out = await run('docker', ['run', '--rm', '--network', 'none', id || DEBIAN_IMAGE, 'python3', '-c', PROBE, ...variant.modules]);
    return out.trim();
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/** Builds `<repo>:<hash>` and `<repo>:latest` for a variant; returns the image tagged by hash. */
export async function buildRuntime(serverDir: string, variant: TVariant, labels: TRuntimeLabels): Promise<string> {
  const image = `${variant.repo}:${labels.serverHash}`;
  const ctx = makeContext(serverDir, runtimeDockerfile(variant, labels));
  try {
    await dockerBuild(ctx, ['-t', image, '-t', `${variant.repo}:latest`]);
    return image;
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/** Builds a Dockerfile directory as is (the example custom image). */
export async function buildDirectory(dir: string, image: string): Promise<string> {
  await dockerBuild(dir, ['-t', image]);
  return image;
}

/** Size of a local image in bytes. */
export async function imageSize(ref: string): Promise<number> {
  return Number((await run('docker', ['image', 'inspect', '--format', '{{.Size}}', ref])).trim());
}
