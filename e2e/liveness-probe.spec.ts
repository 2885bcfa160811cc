/**
 * A liveness probe from the console: an image application whose /health starts failing (the example
 * image answers 500 once /tmp/unhealthy exists) is restarted after 2 failed checks in a row; the
 * Events tab says so and the instance's restart count becomes 1.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { containersOf } from './docker-engine';
import { login, ServicePage } from './pages/console';
import { deleteService, deployOnDocker, ImageAppForm, instanceCell, pushExampleImage, requireExampleImage } from './pages/image-app';

let cleanup: (() => void) | undefined;

test.afterAll(() => cleanup?.());

test('a failing liveness probe restarts the instance once, with its event', async ({ page }) => {
  test.setTimeout(240_000);
  requireExampleImage();
  await login(page);
  cleanup = await pushExampleImage(page.request, 'example-liveness');

  const form = new ImageAppForm(page);
  await form.open();
  await form.fillName('image-liveness');
  await form.chooseImage('example-liveness', '1.0');
  await form.setProbe('liveness', { method: 'HTTP', url: '/health', period: '1', delay: '0', timeout: '1', failures: '2' });
  await form.submit();
  await form.expectNormal();

  const serviceId = await deployOnDocker(page, 'image-liveness');
  const service = new ServicePage(page);
  await service.tab('Instances').click();
  const containerCell = await instanceCell(page, 'Container');
  await expect(containerCell).toHaveAttribute('title', /^[0-9a-f]{64}$/);
  const containerId = (await containerCell.getAttribute('title'))!;
  await expect(await instanceCell(page, 'Restarts')).toHaveText('0');

  const touched = spawnSync('docker', ['exec', containerId, 'touch', '/tmp/unhealthy'], { encoding: 'utf8' });
  expect(touched.status, touched.stderr).toBe(0);

  await service.tab('Events').click();
  await expect(service.events()).toContainText('failed its liveness probe 2 times in a row; restarting it.', { timeout: 20_000 });
  await service.tab('Instances').click();
  await expect(await instanceCell(page, 'Restarts')).toHaveText('1', { timeout: 30_000 });
  await expect(await instanceCell(page, 'Container')).not.toHaveAttribute('title', containerId);
  await expect((await instanceCell(page, 'Status')).locator('[data-status]')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });

  await deleteService(page);
  await expect.poll(async () => (await containersOf(serviceId)).length, { timeout: 30_000 }).toBe(0);
});
