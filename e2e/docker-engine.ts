/**
 * Whether the local Docker Engine answers and holds Anvil's runtime image (npm run images): the
 * Docker specs need both. Without them a spec fails under CI=true and is skipped otherwise.
 */
import path from 'node:path';
import Docker from 'dockerode';
import { test } from '@playwright/test';
import { baseRuntimeImage } from '../server/core/images/base-images';

export const docker = new Docker();

/** Why the Docker specs cannot run here, or undefined when they can. */
export async function engineProblem(): Promise<string | undefined> {
  const image = baseRuntimeImage(path.resolve('server/runtimes/python'));
  return docker
    .ping()
    .then(() => docker.getImage(image).inspect())
    .then(
      () => undefined,
      (e: Error) => `no Docker Engine with Anvil's runtime image ${image} (npm run images): ${e.message}`,
    );
}

/** Fails the test under CI=true when the engine or image is missing; skips it elsewhere. */
export async function requireEngine(): Promise<void> {
  const problem = await engineProblem();
  if (problem && process.env.CI === 'true') throw new Error(`The Docker specs need Docker under CI: ${problem}`);
  test.skip(!!problem, problem);
}

/** Containers Anvil started for a service (any state). */
export const containersOf = (serviceId: string) => docker.listContainers({ all: true, filters: { label: [`anvil.service=${serviceId}`] } });
