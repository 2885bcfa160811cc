/**
 * Deleting several AI applications from the list at once (guide §2.5): refused whole, naming the
 * service, while one of them is deployed; then the others go with all their versions.
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, deploy, importIris } from './pages/gateway';

test('delete selected applications: all or none', async ({ page, request }) => {
  const a = await api(request);
  const [deployedId] = await importIris(a, 'bulk-e2e-a', 'bulk-kept', ['0.0.1']);
  await importIris(a, 'bulk-e2e-b', 'bulk-gone', ['0.0.1', '0.0.2']);
  const serviceId = await deploy(a, 'bulk-kept-svc', deployedId);

  await login(page, '/ai-apps');
  const button = page.getByRole('button', { name: /^Delete selected/ });
  await expect(button).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Select bulk-kept' }).check();
  await page.getByRole('checkbox', { name: 'Select bulk-gone' }).check();
  await expect(button).toHaveText('Delete selected (2)');
  await button.click();
  await expect(page.getByRole('dialog')).toContainText('Delete bulk-kept, bulk-gone with all their versions?');
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('p[role="alert"]')).toHaveText('Nothing was deleted. Delete the services deployed from bulk-kept first: bulk-kept-svc (version 0.0.1).');
  await expect(page.locator('tr[data-app="bulk-gone"]')).toBeVisible();

  await page.getByRole('checkbox', { name: 'Select bulk-kept' }).uncheck();
  await button.click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('tr[data-app="bulk-gone"]')).toHaveCount(0);
  await expect(page.locator('tr[data-app="bulk-kept"]')).toBeVisible();
  const models = (await a.call('GET', `/v1/${a.projectId}/models`)).json.models as { model_name: string }[];
  expect(models.filter((m) => m.model_name === 'bulk-gone')).toEqual([]);
  expect(models.filter((m) => m.model_name === 'bulk-kept')).toHaveLength(1);
  expect((await a.call('DELETE', `/v1/${a.projectId}/services/${serviceId}`)).status).toBe(204);
});
