/**
 * Whether the container suites can run here: a Docker Engine that answers and has `image` (Anvil's
 * runtime image by default, built by `npm run images`). Under CI=true a missing engine or image is
 * an error, never a skip; elsewhere the suite skips with the returned reason.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { PYTHON_SERVER_DIR } from '../core/anvil-core';
import { baseRuntimeImage } from '../core/images/base-images';

export async function dockerSuiteProblem(image = baseRuntimeImage(PYTHON_SERVER_DIR), how = 'npm run images'): Promise<string | undefined> {
  const engine = new Docker();
  const problem = await engine
    .ping()
    .then(() => engine.getImage(image).inspect())
    .then(() => undefined, (e: Error) => `no Docker Engine with ${image} (${how}): ${e.message}`);
  if (problem && process.env.CI === 'true') throw new Error(`The container suites need Docker under CI: ${problem}`);
  if (problem) console.warn(`Skipping a container suite: ${problem}`);
  return problem;
}

/**
 * Runs the docker CLI with its own client configuration (a test's `docker login` never touches
 * ~/.docker), without blocking: Anvil's registry gate answers from the same process.
 */
export function dockerCli(args: string[], opts: { config: string; input?: string }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: opts.config } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** The example custom image, built by `npm run images -- --example`. */
export const EXAMPLE_IMAGE = 'anvil/example-custom:1.0';

/** The example custom image (npm run images -- --example) and the repository binary the push suites need, or why they cannot run. */
export async function exampleImageSuiteProblem(): Promise<string | undefined> {
  const hasRegistry = await new Promise<boolean>((resolve) => spawn('sh', ['-c', 'command -v docker-registry']).on('close', (code) => resolve(code === 0)));
  const problem = (await dockerSuiteProblem(EXAMPLE_IMAGE, 'npm run images -- --example').catch((e: Error) => e.message)) ?? (hasRegistry ? undefined : 'docker-registry is not installed');
  if (problem && process.env.CI === 'true') throw new Error(`The image suites need Docker under CI: ${problem}`);
  return problem;
}

/**
 * Pushes the example image to a test Anvil's repository as `<repository>:<tag>` of the token's
 * project, with the docker CLI as a user would (its own client configuration). Returns the pushed
 * reference and a cleanup that removes the local tag and the configuration.
 */
export async function pushExampleImage(anvilUrl: string, token: string, projectId: string, repository: string, tag = '1.0'): Promise<{ pushed: string; cleanup: () => Promise<void> }> {
  const res = await fetch(`${anvilUrl}/v1/${projectId}/images/credentials`, { headers: { 'x-auth-token': token } });
  if (res.status !== 200) throw new Error(`push credentials: ${res.status} ${await res.text()}`);
  const { address, username, password } = (await res.json()) as { address: string; username: string; password: string };
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-docker-config-'));
  const pushed = `${address}/default/${repository}:${tag}`;
  const cleanup = async () => {
    await dockerCli(['rmi', pushed], { config });
    fs.rmSync(config, { recursive: true, force: true });
  };
  const steps: [string[], string?][] = [[['login', address, '--username', username, '--password-stdin'], `${password}\n`], [['tag', EXAMPLE_IMAGE, pushed]], [['push', pushed]]];
  for (const [args, input] of steps) {
    const r = await dockerCli(args, { config, input });
    if (r.code !== 0) {
      await cleanup();
      throw new Error(`docker ${args[0]} exited with ${r.code}: ${r.out}`);
    }
  }
  return { pushed, cleanup };
}
