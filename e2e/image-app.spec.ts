/**
 * Guide §2.2.4 from the console (the acceptance test): push the example image with the docker
 * CLI, create an AI application from it with the form (field errors first, then valid values), wait
 * for Normal, deploy it on the Docker pool, predict through the prediction tab, delete the service.
 */
import { expect, test } from '@playwright/test';
import { containersOf } from './docker-engine';
import { login, ServicePage } from './pages/console';
import { deleteService, deployOnDocker, ImageAppForm, pushExampleImage, requireExampleImage } from './pages/image-app';

const PREDICT_APIS = [{ url: '/predict', method: 'post', request: { 'Content-type': 'application/json' }, response: { 'Content-type': 'application/json' } }];
let cleanup: (() => void) | undefined;

test.afterAll(() => cleanup?.());

test('an AI application from a pushed container image serves its own API on the Docker pool', async ({ page }) => {
  test.setTimeout(240_000);
  requireExampleImage();
  await login(page);
  cleanup = await pushExampleImage(page.request, 'example-custom');

  const form = new ImageAppForm(page);
  await form.open();
  await expect(page.getByRole('spinbutton', { name: 'Port' })).toHaveValue('8080');
  await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('HTTP');
  await expect(form.apis()).toHaveValue(/"url": "\/",\s*"method": "post"/);

  // Refused in the form, each error under its field: no image, a forbidden start command, a probe period of 0.
  await form.fillName('image-sum');
  await page.getByRole('textbox', { name: 'Start command' }).fill('python3 server.py > /tmp/log');
  await form.setProbe('readiness', { url: '/health', period: '0', delay: '0', timeout: '1', failures: '2' });
  await form.submit();
  await expect(page.getByRole('alert').filter({ hasText: 'Choose an image.' })).toBeVisible();
  await expect(page.getByText('A start command must not contain ">" (guide §2.2.3).')).toBeVisible();
  await expect(form.probe('readiness').getByRole('alert')).toHaveText('At least 1.');
  await expect(page).toHaveURL(/\/ai-apps\/create-from-image$/);

  await page.getByRole('textbox', { name: 'Start command' }).fill('');
  await form.probe('readiness').getByLabel('Check period (s)').fill('1');
  await form.chooseImage('example-custom', '1.0');
  await form.apis().fill(JSON.stringify(PREDICT_APIS, null, 2));
  await form.submit();
  await form.expectNormal();
  await expect(page.getByRole('heading', { name: 'image-sum' })).toBeVisible();

  const serviceId = await deployOnDocker(page, 'image-sum');
  const service = new ServicePage(page);
  await service.tab('Prediction').click();
  await page.getByLabel('Request').fill(JSON.stringify({ data: [1, 2, 3.5] }));
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-status')).toContainText('Status 200');
  await expect(page.getByTestId('predict-body')).toContainText('"sum": 6.5');

  await deleteService(page);
  await expect.poll(async () => (await containersOf(serviceId)).length, { timeout: 30_000 }).toBe(0);
});
