/**
 * The golden path in the browser: log in → upload the example packages → create AI applications →
 * wait for Normal → deploy → see Running arrive live → predict with JSON and with an image →
 * events and logs show what happened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

const EXAMPLES = path.resolve('examples');

/** The digits package as a .zip, to exercise the upload-and-extract path. */
function digitsZip(): string {
  const files: Record<string, Uint8Array> = {};
  const modelDir = path.join(EXAMPLES, 'digits', 'model');
  for (const name of fs.readdirSync(modelDir)) {
    if (fs.statSync(path.join(modelDir, name)).isFile()) files[`model/${name}`] = fs.readFileSync(path.join(modelDir, name));
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-')), 'digits.zip');
  fs.writeFileSync(file, zipSync(files));
  return file;
}

test('a model package goes from upload to predictions in the console', async ({ page }) => {
  await login(page);

  const obs = new ObsPage(page);
  await obs.open();
  await obs.createBucket('models');
  await obs.openBucket('models');
  await obs.uploadFolder(path.join(EXAMPLES, 'iris'));
  await obs.uploadZip(digitsZip());
  await expect(obs.row('iris')).toBeVisible();
  await expect(obs.row('digits')).toBeVisible();

  const create = new CreateAppPage(page);
  for (const name of ['iris', 'digits']) {
    await create.open();
    await create.fill(name, 'models', name);
    await expect(page.getByTestId('app-engine')).toHaveValue(name === 'iris' ? 'Scikit_Learn' : 'PyTorch');
    await expect(page.getByTestId('api-spec').first()).toContainText(name === 'iris' ? 'data.req_data[].sepal_length' : 'images');
    await create.submit();
    await expect(page).toHaveURL(/\/ai-apps$/);
    // The import finishes in the background; the list turns Normal without a reload.
    await expect(page.locator(`tr[data-app="${name}"] [data-status]`)).toHaveAttribute('data-status', 'normal');
  }

  // Deploy iris from the list's Deploy operation.
  await page.locator('tr[data-app="iris"]').getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('iris-online');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);
  const service = new ServicePage(page);
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('curl-line')).toContainText('X-Auth-Token');

  await service.tab('Prediction').click();
  await page.getByLabel('Request').fill(
    JSON.stringify({ meta: { uuid: 'e2e-1' }, data: { req_data: [{ sepal_length: 5.0, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 }] } }),
  );
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('"predict_result": "Iris-setosa"');
  await expect(page.getByTestId('predict-body')).toContainText('"uuid": "e2e-1"');

  await service.tab('Events').click();
  await expect(service.events()).toContainText('Start to deploy service.');
  await expect(service.events()).toContainText('Service iris-online started successfully.');

  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByRole('textbox', { name: 'Description' }).fill('iris for the tour');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('description')).toHaveText('iris for the tour');

  await service.tab('Logs').click();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('log-view')).toContainText('iris predicted 1 row(s): Iris-setosa');
  await page.getByRole('textbox', { name: 'Keyword' }).fill('Iris-versicolor');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('log-view')).toContainText('No logs in this range.');
  await page.getByRole('textbox', { name: 'Keyword' }).fill('iris && *setosa');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('log-view')).toContainText('Iris-setosa');

  // Deploy digits from the services page and predict with an image file.
  await page.getByRole('link', { name: 'Online services' }).click();
  await page.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('digits-online');
  await page.getByRole('combobox', { name: 'AI application', exact: true }).selectOption('digits');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await service.tab('Prediction').click();
  await page.getByLabel('images').setInputFiles(path.join(EXAMPLES, 'digits', 'samples', 'digit-7.png'));
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('"predicted_label": "7"');
});
