/**
 * Request traces in the console: turn on payload capture, call the service over REST, open the
 * trace (its body, the instance's log line of the same seconds), and replay it in the prediction tab.
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, deploy, importIris } from './pages/gateway';

test('open a captured trace with its log lines and replay it in the prediction tab', async ({ page, request }) => {
  const a = await api(request);
  const [modelId] = await importIris(a, 'traces-e2e', 'iris-traced', ['0.0.1']);
  const serviceId = await deploy(a, 'traced-iris', modelId);

  await login(page, `/services/${serviceId}`);
  await page.getByRole('tab', { name: 'Traces' }).click();
  await page.getByRole('checkbox', { name: /Capture payloads/ }).check();
  await expect(page.getByRole('checkbox', { name: /Capture payloads/ })).toBeChecked();
  // The box shows checked at once; the setting is saved a moment later, and only calls after that are captured.
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/services/${serviceId}/traces`)).json.settings.capture_payloads).toBe(true);
  const body = { data: { req_data: [{ sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }] } };
  expect((await a.call('POST', `/v1/infers/${serviceId}`, body)).status).toBe(200);

  const row = page.getByTestId('trace').first();
  await expect(row).toContainText('200', { timeout: 15_000 });
  await expect(row).toContainText('admin');
  await row.click();
  await expect(page.getByTestId('trace-request')).toContainText('"sepal_length": 6.9');
  await expect(page.getByTestId('trace-response')).toContainText('Iris-virginica');
  await expect(page.getByTestId('trace-logs')).toContainText('iris predicted 1 row(s): Iris-virginica');

  await page.getByRole('button', { name: 'Replay in prediction tab' }).click();
  await expect(page.getByRole('tab', { name: 'Prediction' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Request')).toHaveValue(/"petal_length": 5\.4/);
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-body')).toContainText('Iris-virginica');
});
