/**
 * Deploying on the Docker pool from the console: import iris, choose pool "docker" in the wizard,
 * predict, see the instance on node local-docker in its container, and delete the service so no
 * container is left.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { containersOf, requireEngine } from './docker-engine';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

test('iris deployed on the docker pool runs in a container on local-docker', async ({ page }) => {
  test.setTimeout(180_000);
  await requireEngine();
  await login(page);

  await new ObsPage(page).uploadFolderToNewBucket('pool-models', path.resolve('examples/iris'));
  const row = await new CreateAppPage(page).importApp('iris-pool', 'pool-models', 'iris');

  await row.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('iris-docker');
  const poolSelect = page.getByRole('combobox', { name: 'Resource pool' });
  await expect(poolSelect.locator('option[value="local"]')).toHaveCount(1);
  await poolSelect.selectOption('docker');
  await expect(poolSelect).toHaveValue('docker');
  // The flavors are the docker pool's: a GPU flavor is greyed with its reason, cpu.1u2g fits now.
  await expect(page.locator('input[name="flavor"][value="gpu.1x.8u32g"]')).toBeDisabled();
  await expect(page.getByRole('radiogroup')).toContainText('Unavailable:');
  await expect(page.getByTestId('flavor-free-cpu.1u2g')).toContainText('can start now');
  await page.locator('input[name="flavor"][value="cpu.1u2g"]').check();
  await page.getByRole('button', { name: 'Submit' }).click();

  await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);
  const serviceId = page.url().split('/').pop()!;
  const service = new ServicePage(page);
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 90_000 });

  await service.tab('Prediction').click();
  await page.getByLabel('Request').fill(JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } }));
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('"predict_result": "Iris-setosa"');

  await service.tab('Instances').click();
  await expect(page.getByTestId('instance-node')).toHaveText('local-docker');
  const [container] = await containersOf(serviceId);
  expect(container).toBeDefined();
  await expect(page.getByTestId('instances-table')).toContainText(container.Id.slice(0, 12));

  await page.getByTestId('service-actions').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/services$/);
  await expect.poll(async () => (await containersOf(serviceId)).length, { timeout: 30_000 }).toBe(0);
});
