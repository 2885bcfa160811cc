/**
 * Training jobs in the console (guide §2.2.1): create a job over the example iris training script,
 * watch its log, see V001 succeed, create an AI application from its output, deploy it and predict;
 * a boot file that is not in the code folder is refused on its field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { login, ServicePage } from './pages/console';
import { api, deploy } from './pages/gateway';

test('train the iris example, create an application from its output, deploy and predict', async ({ page, request }) => {
  test.setTimeout(180_000);
  const a = await api(request);
  expect((await a.call('PUT', '/obs/train-e2e')).status).toBe(201);
  const dir = path.resolve('examples/iris-training');
  for (const f of ['train.py', 'package/config.json', 'package/customize_service.py']) {
    expect((await a.call('PUT', `/obs/train-e2e/iris-training/${f}`, fs.readFileSync(path.join(dir, f)))).status).toBe(201);
  }

  await login(page, '/training-jobs');
  await page.getByRole('button', { name: 'Create training job' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create training job' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('iris-train');
  await dialog.getByRole('textbox', { name: 'Code folder' }).fill('obs://train-e2e/iris-training/');
  await dialog.getByRole('textbox', { name: 'Boot file' }).fill('missing.py');
  await dialog.getByRole('textbox', { name: 'Output folder' }).fill('obs://train-e2e/out/');
  await dialog.getByRole('button', { name: 'Add hyperparameter' }).click();
  await dialog.getByRole('textbox', { name: 'Hyperparameter name' }).fill('epochs');
  await dialog.getByRole('textbox', { name: 'Hyperparameter value' }).fill('300');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('missing.py is not in obs://train-e2e/iris-training/.');
  await dialog.getByRole('textbox', { name: 'Boot file' }).fill('train.py');
  await dialog.getByRole('button', { name: 'Confirm' }).click();

  await expect(page.getByRole('heading', { name: 'iris-train' })).toBeVisible();
  const run = page.getByTestId('training-run').first();
  await expect(run.locator('[data-status]')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(run).toContainText('V001');
  await expect(run).toContainText('obs://train-e2e/out/V001/');
  await expect(page.getByTestId('training-log')).toContainText('epoch 300/300');
  await expect(page.getByTestId('training-log')).toContainText('model package written to');

  // The run's output becomes an AI application: the form opens with its folder as the source.
  await run.getByRole('link', { name: 'Create AI application' }).click();
  await expect(page.getByRole('textbox', { name: 'Training job output' }).or(page.getByLabel('Training job output'))).toHaveValue('obs://train-e2e/out/V001');
  await expect(page.getByTestId('app-engine')).toHaveValue('Scikit_Learn');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('iris-from-job');
  await page.getByRole('button', { name: 'Create now' }).click();
  const row = page.locator('tr[data-app="iris-from-job"]');
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'normal', { timeout: 30_000 });

  const models = await a.call('GET', `/v1/${a.projectId}/models?model_name=iris-from-job`);
  const modelId = (models.json.models as { model_id: string; model_name: string }[]).find((m) => m.model_name === 'iris-from-job')!.model_id;
  const serviceId = await deploy(a, 'iris-from-job-svc', modelId);
  await page.goto(`/services/${serviceId}`);
  await new ServicePage(page).tab('Prediction').click();
  await page.getByRole('textbox', { name: 'Request', exact: true }).fill(JSON.stringify({ data: { req_data: [{ sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }] } }));
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('Iris-virginica');
  // Idle services of every spec share the e2e pool: this one goes.
  expect((await a.call('DELETE', `/v1/${a.projectId}/services/${serviceId}`)).status).toBe(204);
});
