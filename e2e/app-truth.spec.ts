/**
 * The AI application pages say what Anvil really does (issue 5 §4, §8): "Delete" on a row removes
 * the latest version only, deleting the whole application is its own action (refused while a service
 * uses a version), documentation links are http(s) only, and the runtime line names the interpreter
 * that really runs the model, on the application page and on the service's instances tab.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

const RUNS_ON = /requested python3\.6 → runs on the host's Python 3\.\d+\.\d+/;

test("delete the latest version or the whole application, and see what really runs the model", async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('truth', path.resolve('examples/iris'));
  const create = new CreateAppPage(page);
  const row = await create.importApp('truth-app', 'truth', 'iris');

  // A second version; a javascript: documentation link is refused on the field.
  await row.getByRole('link', { name: 'Create new version' }).click();
  await expect(page.getByRole('textbox', { name: 'Version' })).toHaveValue('0.0.2');
  await page.getByRole('button', { name: 'Add AI application description' }).click();
  await page.getByPlaceholder('Document name').fill('docs');
  await page.getByPlaceholder('URL').fill('javascript:alert(document.cookie)');
  await create.submit();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(['Use an http:// or https:// address.']);
  await page.getByPlaceholder('URL').fill('https://example.com/iris');
  await create.submit();
  await expect(row.getByRole('cell', { name: '0.0.2', exact: true })).toBeVisible();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'normal');

  // The application page: the runtime line, and usage constraints taken from the data.
  await row.getByRole('link', { name: 'truth-app' }).click();
  await expect(page.getByTestId('app-runtime')).toHaveText(RUNS_ON);
  await expect(page.getByRole('link', { name: 'docs' })).toHaveAttribute('href', 'https://example.com/iris');
  await page.getByRole('tab', { name: 'Usage constraints' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Synchronous request');
  await expect(page.getByRole('tabpanel')).toContainText('anvil_model_server.py');
  await expect(page.getByRole('tabpanel')).toContainText('None (stored as uploaded)');

  // "Delete latest version" says what it deletes, and removes only 0.0.2.
  await page.getByRole('link', { name: 'AI applications' }).click();
  await row.getByRole('button', { name: 'Delete latest version' }).click();
  await expect(page.getByRole('dialog')).toHaveText(/Delete version 0\.0\.2 of truth-app\? Only this latest version is removed; 1 other version\(s\) stay\./);
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(row.getByRole('cell', { name: '0.0.1', exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: /^1/ })).toBeVisible();

  // A service on 0.0.1: its instances tab shows the same runtime line.
  await row.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('truth-svc');
  await page.getByRole('button', { name: 'Submit' }).click();
  const service = new ServicePage(page);
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await service.tab('Instances').click();
  await expect(page.getByTestId('instance-runtime')).toHaveText(new RegExp(`Runtime: ${RUNS_ON.source}`));

  // Deleting the whole application is refused while the service uses a version, naming it.
  await page.getByRole('link', { name: 'AI applications' }).click();
  await row.getByRole('button', { name: 'Delete application' }).click();
  await expect(page.getByRole('dialog')).toContainText('Delete truth-app with all its 1 version(s)?');
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Delete the services deployed from truth-app first: truth-svc (version 0.0.1).');
  await expect(row).toBeVisible();

  // Without a service, "Delete application" removes every version.
  const solo = await create.importApp('truth-solo', 'truth', 'iris');
  await solo.getByRole('link', { name: 'Create new version' }).click();
  await expect(page.getByRole('textbox', { name: 'Version' })).toHaveValue('0.0.2');
  await create.submit();
  await expect(solo.getByRole('cell', { name: '0.0.2', exact: true })).toBeVisible();
  await solo.getByRole('button', { name: 'Delete application' }).click();
  await expect(page.getByRole('dialog')).toContainText('Delete truth-solo with all its 2 version(s)?');
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(solo).toHaveCount(0);
  await expect(row).toBeVisible();
});
