/**
 * What the image-application specs share: whether the example image can be pushed here, the push
 * itself (the docker CLI with a temporary DOCKER_CONFIG and the project's credential from REST), the
 * "from container image" form, and deploying on the Docker pool from the wizard.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { ADMIN_PASSWORD } from './console';

/** Built by `npm run images -- --example`: POST /predict sums `data`, GET /health fails once /tmp/unhealthy exists. */
export const EXAMPLE_IMAGE = 'anvil/example-custom:1.0';

function exampleImageProblem(): string | undefined {
  if (spawnSync('docker', ['image', 'inspect', EXAMPLE_IMAGE], { stdio: 'ignore' }).status !== 0) {
    return `no Docker Engine with ${EXAMPLE_IMAGE} (npm run images -- --example)`;
  }
  if (spawnSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' }).status !== 0) return 'docker-registry is not installed';
  return undefined;
}

/** Fails the test under CI=true when Docker, the example image or docker-registry is missing; skips it elsewhere. */
export function requireExampleImage(): void {
  const problem = exampleImageProblem();
  if (problem && process.env.CI === 'true') throw new Error(`The image-application specs need them under CI: ${problem}`);
  test.skip(!!problem, problem);
}

/**
 * Pushes the example image as `<address>/default/<repository>:<tag>` with the project's push
 * credential (REST, with a token); returns a cleanup that removes the local tag and the docker config.
 */
export async function pushExampleImage(request: APIRequestContext, repository: string, tag = '1.0'): Promise<() => void> {
  const tokenRes = await request.post('/v3/auth/tokens', {
    data: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: ADMIN_PASSWORD, domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } },
  });
  expect(tokenRes.status()).toBe(201);
  const token = tokenRes.headers()['x-subject-token'];
  const projectId = ((await tokenRes.json()) as { token: { project: { id: string } } }).token.project.id;
  const credRes = await request.get(`/v1/${projectId}/images/credentials`, { headers: { 'x-auth-token': token } });
  expect(credRes.status()).toBe(200);
  const { address, username, password } = (await credRes.json()) as { address: string; username: string; password: string };

  const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-docker-'));
  const docker = (args: string[], input?: string) => {
    const r = spawnSync('docker', args, { input, encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  };
  const target = `${address}/default/${repository}:${tag}`;
  const cleanup = () => {
    docker(['rmi', target]);
    fs.rmSync(dockerConfig, { recursive: true, force: true });
  };
  const steps: [string[], string?][] = [[['login', address, '--username', username, '--password-stdin'], `${password}\n`], [['tag', EXAMPLE_IMAGE, target]], [['push', target]]];
  for (const [args, input] of steps) {
    const r = docker(args, input);
    if (r.code !== 0) cleanup();
    expect(r.code, `docker ${args[0]}: ${r.out}`).toBe(0);
  }
  return cleanup;
}

export type TProbeSettings = { method?: 'HTTP' | 'EXEC'; url?: string; command?: string; period: string; delay: string; timeout: string; failures: string };

/** The "Create AI application → Container image" form. */
export class ImageAppForm {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'AI applications' }).click();
    await this.page.getByRole('link', { name: 'Create AI application' }).click();
    await this.page.getByRole('link', { name: 'Container image' }).click();
    await expect(this.page).toHaveURL(/\/ai-apps\/create-from-image$/);
  }

  async fillName(name: string) {
    await this.page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  }

  async chooseImage(repository: string, tag: string) {
    await this.page.getByRole('combobox', { name: 'Repository' }).selectOption(repository);
    await this.page.getByRole('combobox', { name: 'Tag' }).selectOption(tag);
  }

  apis() {
    return this.page.getByRole('textbox', { name: 'apis definition' });
  }

  probe(kind: 'startup' | 'readiness' | 'liveness'): Locator {
    return this.page.getByTestId(`probe-${kind}`);
  }

  async setProbe(kind: 'startup' | 'readiness' | 'liveness', s: TProbeSettings) {
    const probe = this.probe(kind);
    await probe.getByRole('switch').check();
    await probe.getByRole('radio', { name: s.method === 'EXEC' ? 'Run a command' : 'HTTP request' }).check();
    if (s.url !== undefined) await probe.getByLabel('Health check URL').fill(s.url);
    if (s.command !== undefined) await probe.getByLabel('Health check command').fill(s.command);
    await probe.getByLabel('Check period (s)').fill(s.period);
    await probe.getByLabel('Initial delay (s)').fill(s.delay);
    await probe.getByLabel('Timeout (s)').fill(s.timeout);
    await probe.getByLabel('Maximum failures').fill(s.failures);
  }

  async submit() {
    await this.page.getByRole('button', { name: 'Create now' }).click();
  }

  /** After a successful submit: the application's page until its status is Normal. */
  async expectNormal() {
    await expect(this.page).toHaveURL(/\/ai-apps\/[0-9a-f-]{36}$/);
    await expect(this.page.getByTestId('app-status').locator('[data-status]')).toHaveAttribute('data-status', 'normal', { timeout: 30_000 });
  }
}

/** From the application's page: the wizard with pool "docker" and cpu.1u2g; returns the service id once it runs. */
export async function deployOnDocker(page: Page, name: string): Promise<string> {
  await page.locator('.page-head').getByRole('link', { name: 'Deploy', exact: true }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  const pool = page.getByRole('combobox', { name: 'Resource pool' });
  await pool.selectOption('docker');
  await expect(pool).toHaveValue('docker');
  await page.locator('input[name="flavor"][value="cpu.1u2g"]').check();
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('service-status').locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 90_000 });
  return page.url().split('/').pop()!;
}

/** The cell under `header` in the first row of the instances table. */
export async function instanceCell(page: Page, header: string): Promise<Locator> {
  const table = page.getByTestId('instances-table');
  const headers = await table.locator('thead th').allTextContents();
  const column = headers.findIndex((h) => h.trim() === header);
  expect(column, `column ${header} in ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return table.locator('tbody tr').first().locator('td').nth(column);
}

/** Deletes the service from its page and waits for the list. */
export async function deleteService(page: Page) {
  await page.getByTestId('service-actions').first().getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/services$/);
}
