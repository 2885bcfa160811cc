/** The image repository page: the login command, a push with the real docker CLI, the listing, delete and reset. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { login } from './pages/console';

const hasDocker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore' }).status === 0;
const hasRegistry = spawnSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' }).status === 0;
if ((!hasDocker || !hasRegistry) && process.env.CI === 'true') throw new Error('The container specs need a Docker Engine and docker-registry under CI.');
const localImage = `anvil-e2e-${process.pid}:1`;
/** Its own docker client configuration (the login), made in the worker that runs the test. */
let dockerConfig = '';
const created: string[] = [];

function docker(args: string[], input?: string): { code: number; out: string } {
  const r = spawnSync('docker', args, { input, encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

class ImageRepositoryPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'Image repository' }).click();
    await expect(this.page.getByRole('heading', { name: 'Image repository' })).toBeVisible();
  }

  async address() {
    return (await this.page.getByTestId('registry-address').textContent())!;
  }

  async revealPassword() {
    await this.page.getByRole('button', { name: 'Show' }).click();
    return (await this.page.getByTestId('registry-password').textContent())!;
  }

  row(image: string) {
    return this.page.locator(`tr[data-image="${image}"]`);
  }
}

test.beforeAll(() => {
  dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-docker-'));
});

test.afterAll(() => {
  if (created.length) docker(['rmi', ...created]);
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

test('push an image with docker and find it on the repository page', async ({ page }) => {
  test.skip(!hasDocker || !hasRegistry, 'needs the docker CLI, a Docker Engine and docker-registry');
  await login(page);
  const repo = new ImageRepositoryPage(page);
  await repo.open();
  const address = await repo.address();
  await expect(page.getByTestId('login-command')).toHaveText(`docker login ${address} --username default`);
  await expect(page.getByTestId('push-command')).toHaveText(`docker push ${address}/default/<repository>:<tag>`);
  // Other specs may have pushed to the project already; an empty repository says how to push.
  const empty = page.getByTestId('images-empty');
  await expect(empty.or(page.getByTestId('images-table'))).toBeVisible();
  if (await empty.isVisible()) await expect(empty).toContainText(`${address}/default/<repository>:<tag>`);
  await expect(page.getByTestId('registry-password')).toHaveText('••••••••••••');
  const password = await repo.revealPassword();
  expect(password).toMatch(/^[\w-]{32}$/);

  // A one-file image made locally: nothing is pulled.
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-image-'));
  fs.writeFileSync(path.join(context, 'hello.txt'), 'hello from the e2e spec\n');
  spawnSync('tar', ['-C', context, '-cf', path.join(context, 'image.tar'), 'hello.txt']);
  expect(docker(['import', path.join(context, 'image.tar'), localImage]).code).toBe(0);
  fs.rmSync(context, { recursive: true, force: true });
  created.push(localImage);
  const target = `${address}/default/e2e-hello:v1`;
  const loggedIn = docker(['login', address, '--username', 'default', '--password-stdin'], `${password}\n`);
  expect(loggedIn.code, loggedIn.out).toBe(0);
  expect(docker(['tag', localImage, target]).code).toBe(0);
  created.push(target);
  const pushed = docker(['push', target]);
  expect(pushed.code, pushed.out).toBe(0);

  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = repo.row('e2e-hello:v1');
  await expect(row).toContainText('e2e-hello');
  await expect(row).toContainText(/\d+(\.\d)? (B|KB)/);
  const digest = /digest: sha256:([a-f0-9]{12})/.exec(pushed.out)![1];
  await expect(row).toContainText(digest);

  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('dialog')).toContainText('Delete e2e-hello:v1?');
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status')).toHaveText('Deleted v1.');
  // The repository's row goes (other specs' repositories may stay).
  await expect(page.getByTestId('images-table').or(page.getByTestId('images-empty'))).not.toContainText('e2e-hello');

  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Password reset: log in again with the new one.')).toBeVisible();
  await expect(page.getByTestId('registry-password')).not.toHaveText(password);
  expect(docker(['login', address, '--username', 'default', '--password-stdin'], `${password}\n`).code).not.toBe(0);
  docker(['logout', address]);
});
