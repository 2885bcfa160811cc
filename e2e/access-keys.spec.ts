/**
 * My credentials → Access keys (guide §3.1.4.2.2): add a key, see its secret once and download
 * credentials.csv with the guide's columns; disable, enable and delete it; at most two keys.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { login } from './pages/console';

test('an access key is created with credentials.csv, disabled, enabled and deleted', async ({ page }) => {
  await login(page, '/services');
  await page.getByRole('link', { name: 'My credentials' }).click();
  await expect(page.getByRole('heading', { name: 'Access keys' })).toBeVisible();
  const rows = page.getByTestId('access-key-row');
  await expect(rows).toHaveCount(0);

  await page.getByRole('button', { name: 'Add access key' }).click();
  await page.getByLabel('Description').fill('e2e key');
  await page.getByRole('button', { name: 'Confirm' }).click();
  const shown = page.getByRole('dialog', { name: 'Access key created' });
  const ak = (await shown.getByTestId('created-access-key').textContent())!;
  const sk = (await shown.getByTestId('created-secret-key').textContent())!;
  expect(ak).toMatch(/^[A-Z0-9]{20}$/);
  expect(sk).toMatch(/^[A-Za-z0-9]{40}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), shown.getByRole('button', { name: 'Download credentials.csv' }).click()]);
  expect(download.suggestedFilename()).toBe('credentials.csv');
  expect(fs.readFileSync((await download.path())!, 'utf8')).toBe(`User Name,Access Key Id,Secret Access Key\r\nadmin,${ak},${sk}\r\n`);
  await shown.getByRole('button', { name: 'Close' }).click();

  // The secret is not shown again: only the key id is listed.
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(ak);
  await expect(page.getByText(sk)).toHaveCount(0);
  await expect(rows.first().getByTestId('access-key-status')).toHaveText('Active');
  await rows.first().getByRole('button', { name: 'Disable' }).click();
  await expect(rows.first().getByTestId('access-key-status')).toHaveText('Disabled');
  await rows.first().getByRole('button', { name: 'Enable' }).click();
  await expect(rows.first().getByTestId('access-key-status')).toHaveText('Active');

  // A second key, then the add button says no more.
  await page.getByRole('button', { name: 'Add access key' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('dialog', { name: 'Access key created' }).getByRole('button', { name: 'Close' }).click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Add access key' })).toBeDisabled();
  await expect(page.getByTestId('access-key-limit')).toContainText('at most 2');

  for (let left = 2; left > 0; left--) {
    await rows.first().getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(rows).toHaveCount(left - 1);
  }
  await expect(page.getByRole('button', { name: 'Add access key' })).toBeEnabled();
});
