/**
 * The Resource pools page: the local engine's node with its capacity, an administrator's field
 * errors when adding a node, and creating and deleting a pool.
 */
import { expect, test } from '@playwright/test';
import { requireEngine } from './docker-engine';
import { login } from './pages/console';
import { PoolsPage } from './pages/pools';

test('the docker pool shows the local engine, ready, with its capacity', async ({ page }) => {
  await requireEngine();
  await login(page);
  const pools = new PoolsPage(page);
  await pools.open();

  await expect(pools.pool('local')).toContainText('Processes on this machine');
  const docker = pools.pool('docker');
  await expect(docker).toContainText('Docker containers');
  await expect(docker.getByTestId('pool-unavailable')).toHaveCount(0);
  const node = pools.node('docker', 'local-docker');
  await expect(node.getByTestId('node-status')).toHaveAttribute('data-status', 'ready');
  await expect(node.getByTestId('node-endpoint')).toHaveText('unix:///var/run/docker.sock');
  await expect(node).toContainText(/Docker \d+\.\d+/);
  // The e2e server declares 32 vCPUs and 128 GiB (ANVIL_POOL_CPUS / ANVIL_POOL_MEMORY_GIB); other specs may hold some.
  await expect(node.getByTestId('node-cpu')).toHaveText(/^\d+ of 32 vCPUs free$/);
  await expect(node.getByTestId('node-memory')).toHaveText(/^\d+ of 128 GiB free$/);
  await expect(node.getByRole('meter', { name: 'CPU' })).toHaveAttribute('aria-valuemax', '32');

  await page.getByRole('button', { name: 'Refresh inventories' }).click();
  await expect(node.getByTestId('node-status')).toHaveAttribute('data-status', 'ready');
});

test('an administrator creates a pool, sees field errors when adding a node, and deletes the pool', async ({ page }) => {
  await login(page);
  const pools = new PoolsPage(page);
  await pools.open();

  // A bad id is refused under its field before anything is sent.
  await page.getByRole('button', { name: 'Create pool' }).click();
  const create = page.getByRole('dialog', { name: 'Create pool' });
  await create.getByLabel('Pool ID').fill('Edge Pool');
  await create.getByRole('button', { name: 'Confirm' }).click();
  await expect(create.getByRole('alert')).toHaveText('Start with a lowercase letter; then lowercase letters, digits and "-".');
  await create.getByRole('button', { name: 'Cancel' }).click();

  await pools.createPool('e2e-edge', 'Pool of the e2e suite');
  await expect(pools.pool('e2e-edge')).toContainText('The pool has no node.');
  await expect(pools.pool('e2e-edge')).toContainText('Pool of the e2e suite');

  const dialog = await pools.fillNode('e2e-edge', { name: 'edge-1', endpoint: 'http://x' });
  await expect(dialog.getByLabel('CA certificate (PEM)')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(/^Use unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port/);

  // tcp:// asks for the TLS client certificates; the server names the one missing.
  await dialog.getByLabel('Endpoint').fill('tcp://10.0.0.5:2376');
  await expect(dialog.getByLabel('CA certificate (PEM)')).toBeVisible();
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('A tcp:// engine needs TLS client certificates: paste the CA, the certificate and the key (PEM).');

  // An engine that does not answer is not kept.
  await dialog.getByLabel('Endpoint').fill('unix:///tmp/anvil-e2e-nothing.sock');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toContainText('does not answer');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(pools.pool('e2e-edge').locator('[data-node]')).toHaveCount(0);

  await pools.deletePool('e2e-edge');
  await expect(page.getByRole('status')).toHaveText('Pool e2e-edge deleted.');
  // The local pool has no delete button at all.
  await expect(pools.pool('local').getByRole('button', { name: 'Delete pool' })).toHaveCount(0);
});
