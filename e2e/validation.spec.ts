/** Bad input in the console gets field-level errors, and a bad package fails its import with the guide's events. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CreateAppPage, login, ObsPage } from './pages/console';

/** A package whose config.json breaks the model_algorithm rule of guide table 4-1. */
function badPackage(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-'));
  const dir = path.join(root, 'broken', 'model');
  fs.mkdirSync(dir, { recursive: true });
  const config = JSON.parse(fs.readFileSync('examples/iris/model/config.json', 'utf8'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, model_algorithm: 'predict=analysis' }));
  fs.copyFileSync('examples/iris/model/customize_service.py', path.join(dir, 'customize_service.py'));
  fs.mkdirSync(path.join(root, 'nomodel'));
  fs.writeFileSync(path.join(root, 'nomodel', 'readme.txt'), 'no model folder here');
  return root;
}

test('AI application form: field errors, and a failed import explained by its events', async ({ page }) => {
  await login(page);
  const root = badPackage();
  const obs = new ObsPage(page);
  await obs.open();
  await obs.createBucket('invalid-name!');
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('lowercase letters');
  await page.getByLabel('Bucket name').fill('checks');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await obs.openBucket('checks');
  await obs.uploadFolder(path.join(root, 'broken'));
  await obs.uploadFolder(path.join(root, 'nomodel'));

  const create = new CreateAppPage(page);
  await create.open();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('bad name');
  await create.submit();
  const alerts = page.getByRole('main').getByRole('alert');
  await expect(alerts).toHaveText(['Only letters, Chinese characters, digits, "-" and "_" are allowed.', 'Choose a directory in object storage (obs://bucket/path).']);

  await create.fill('broken-app', 'checks', 'nomodel');
  await expect(alerts).toHaveText(['The chosen directory must contain a folder named "model" (guide §4.1.1).']);

  await create.fill('broken-app', 'checks', 'broken');
  await expect(page.getByTestId('config-issues')).toContainText('model_algorithm');
  await create.submit();
  const row = page.locator('tr[data-app="broken-app"]');
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'failed');
  await row.getByRole('link', { name: 'broken-app' }).click();
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByTestId('events-table');
  await expect(events).toContainText('Start model import.');
  // The guide's A8 names the field; Anvil's next event says what is wrong with it.
  await expect(events).toContainText('Invalid model_algorithm in config.json.');
  await expect(events).toContainText('In config.json, model_algorithm must not contain Chinese characters or any of & ! " \' < > =');
  await expect(events).toContainText('Failed to import the model.');
});

test('deploy form: field errors for name, auto-stop and deploy timeout', async ({ page }) => {
  await login(page, '/services/deploy');
  await page.goto('/services/deploy');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('');
  await page.getByLabel('Stop after').selectOption('custom');
  await page.getByLabel('Hours (1-24)').fill('25');
  await page.locator('#svc-timeout').fill('2');
  await page.getByRole('button', { name: 'Submit' }).click();
  const alerts = page.getByRole('alert');
  await expect(alerts.filter({ hasText: 'Enter a name.' })).toBeVisible();
  await expect(alerts.filter({ hasText: 'At most 24 hours.' })).toBeVisible();
  await expect(alerts.filter({ hasText: 'At least 3 minutes.' })).toBeVisible();
  await expect(alerts.filter({ hasText: 'Choose an AI application and version.' })).toBeVisible();
  // Specs larger than this node are shown but cannot be chosen.
  await expect(page.getByRole('radio', { name: /gpu\.1x\.8u32g/ })).toBeDisabled();
  await expect(page).toHaveURL(/\/services\/deploy$/);
});
