/**
 * Whether the container suites can run here: a Docker Engine that answers and has `image` (Anvil's
 * runtime image by default, built by `npm run images`). Under CI=true a missing engine or image is
 * an error, never a skip; elsewhere the suite skips with the returned reason.
 */
import { spawn } from 'node:child_process';
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

/** The example custom image (npm run images -- --example) and the repository binary the push suites need, or why they cannot run. */
export async function exampleImageSuiteProblem(): Promise<string | undefined> {
  const hasRegistry = await new Promise<boolean>((resolve) => spawn('sh', ['-c', 'command -v docker-registry']).on('close', (code) => resolve(code === 0)));
  const problem = (await dockerSuiteProblem('anvil/example-custom:1.0', 'npm run images -- --example').catch((e: Error) => e.message)) ?? (hasRegistry ? undefined : 'docker-registry is not installed');
  if (problem && process.env.CI === 'true') throw new Error(`The image suites need Docker under CI: ${problem}`);
  return problem;
}
