/**
 * Status, instances and events reach an open service page over the socket, without reload or polling.
 * The fixture model loads for SLOW_START_SECONDS, set as an environment variable in the deploy form.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

test('a deployment is watched live: Deploying → Running, instance Starting → Ready, events as they happen', async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('fixtures', path.resolve('e2e/fixtures/slow-start'));
  const row = await new CreateAppPage(page).importApp('slow-start', 'fixtures', 'slow-start');

  await row.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('slow-online');
  await page.getByRole('button', { name: 'Add environment variable' }).click();
  await page.getByRole('textbox', { name: 'Key' }).fill('SLOW_START_SECONDS');
  await page.getByRole('textbox', { name: 'Value' }).fill('3');
  await page.getByRole('button', { name: 'Submit' }).click();

  const service = new ServicePage(page);
  const status = service.status().locator('[data-status]');
  await expect(status).toHaveAttribute('data-status', 'deploying');
  // A marker on the window survives only if the page is never reloaded.
  await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 42));
  await service.tab('Instances').click();
  await expect(page.getByTestId('instances-table').locator('[data-status]')).toHaveAttribute('data-status', 'starting');

  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await expect(page.getByTestId('instances-table').locator('[data-status]')).toHaveAttribute('data-status', 'ready');
  await service.tab('Events').click();
  await expect(page.getByTestId('live-state')).toHaveText('● Live');
  await expect(service.events()).toContainText('Service slow-online started successfully.');
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(42);

  // The environment variable reached the instance.
  await service.tab('Prediction').click();
  // The prediction form is built from the API's schema: one field, ping.
  await page.getByTestId('predict-form').getByLabel('ping').fill('hello');
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByTestId('predict-body')).toContainText('"loaded_in": 3');
  await expect(page.getByTestId('predict-body')).toContainText('"pong": "hello"');
});
