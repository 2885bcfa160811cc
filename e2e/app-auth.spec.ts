/**
 * APP authentication in the console (guide §3.1.4.2.3): create an app on Authorization management,
 * add an AppCode, turn APP authentication on for a service and authorize the app from its calling
 * guide; a client then predicts with X-Apig-AppCode, and is refused once the authorization is removed.
 */
import { expect, test } from '@playwright/test';
import { login, ServicePage } from './pages/console';
import { api, deploy, importIris, IRIS_BODY } from './pages/gateway';

test('an app with an AppCode calls a service it is authorized for, and only then', async ({ page, request }) => {
  const a = await api(request);
  const [modelId] = await importIris(a, 'app-auth-e2e', 'iris-appauth', ['0.0.1']);
  const serviceId = await deploy(a, 'appauth-iris', modelId);

  await login(page, '/services');
  await page.getByRole('link', { name: 'Authorization management' }).click();
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByLabel('App name')).toHaveValue(/^app_[a-z0-9]{4}$/);
  await page.getByLabel('App name').fill('1bad');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('dialog')).toContainText('Start with a letter');
  await page.getByLabel('App name').fill('app_e2e');
  await page.getByRole('button', { name: 'Confirm' }).click();
  const card = page.getByTestId('auth-app-app_e2e');
  await expect(card.getByTestId('app-key')).toHaveText(/^[0-9a-f]{32}$/);
  await card.getByRole('button', { name: 'Add AppCode' }).click();
  await card.getByRole('button', { name: 'Show AppCode 1' }).click();
  const appCode = (await card.getByTestId('secret-AppCode 1').textContent())!;
  expect(appCode).toMatch(/^[A-Za-z0-9]{64}$/);

  // On the service page: APP authentication on, then authorize the app from the calling guide.
  await page.goto(`/services/${serviceId}`);
  const service = new ServicePage(page);
  await expect(page.getByTestId('app-auth')).toHaveText('Not enabled');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('app-auth')).toHaveText('Enabled');
  await service.tab('Calling guide').click();
  await expect(page.getByTestId('app-auth-url')).toContainText(`/v1/infers/${serviceId}`);
  await page.getByLabel('Choose an app').selectOption({ label: 'app_e2e' });
  await page.getByRole('button', { name: 'Add authorization' }).click();
  await expect(page.getByTestId('authorized-app')).toContainText('app_e2e');

  const predict = () => request.post(`/v1/infers/${serviceId}`, { headers: { 'X-Apig-AppCode': appCode }, data: IRIS_BODY });
  const ok = await predict();
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ data: { resp_data: [{ predict_result: 'Iris-setosa' }] } });

  await page.getByRole('button', { name: 'Remove authorization' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('No app is authorized yet.')).toBeVisible();
  const refused = await predict();
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ error_code: 'APIG.0304' });
});
