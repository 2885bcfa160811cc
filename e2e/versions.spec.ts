/** Versions of an AI application (guide §2.5) and its editable description (§2.4). */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CreateAppPage, login, ObsPage } from './pages/console';

test('create a new version pre-filled from the last one, then edit its description', async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('versions', path.resolve('examples/iris'));
  const create = new CreateAppPage(page);
  const row = await create.importApp('iris-versions', 'versions', 'iris', 'first cut');
  await page.getByRole('searchbox', { name: 'Filter by name' }).fill('no-such-app');
  await expect(row).toBeHidden();
  await page.getByRole('searchbox', { name: 'Filter by name' }).fill('VERSIONS');
  await expect(row).toBeVisible();

  await row.getByRole('link', { name: 'Create new version' }).click();
  await expect(page.getByRole('heading', { name: 'Create new version' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('iris-versions');
  await expect(page.getByRole('textbox', { name: 'Version' })).toHaveValue('0.0.2');
  await expect(page.getByRole('textbox', { name: 'Meta model' })).toHaveValue('obs://versions/iris');
  await expect(page.getByRole('textbox', { name: 'Description' })).toHaveValue('first cut');
  await create.submit();

  await expect(row.getByRole('cell', { name: '0.0.2' })).toBeVisible();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'normal');
  await row.getByRole('button', { name: /^2/ }).click();
  const versions = page.locator('tr.subrow');
  await expect(versions.getByRole('link', { name: '0.0.1' })).toBeVisible();
  await expect(versions.getByRole('link', { name: '0.0.2' })).toBeVisible();

  await versions.getByRole('link', { name: '0.0.1' }).click();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByRole('textbox', { name: 'Description' }).fill('the baseline');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('description')).toHaveText('the baseline');
  await page.getByRole('tab', { name: 'Events' }).click();
  await expect(page.getByTestId('events-table')).toContainText('Model description updated.');
});
