/** Object-storage browser: buckets, folders, file upload, download and delete. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { login, ObsPage } from './pages/console';

test('create a folder, upload a file, download it and delete it', async ({ page }) => {
  await login(page);
  const obs = new ObsPage(page);
  await obs.open();
  await obs.createBucket('files');
  await obs.openBucket('files');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByLabel('Folder name').fill('docs');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('button', { name: '📁 docs' }).click();

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-e2e-')), 'notes.txt');
  fs.writeFileSync(file, 'hello from the e2e spec');
  await page.getByTestId('upload-files').setInputFiles(file);
  await expect(page.getByRole('status')).toContainText('Uploaded 1 file(s).');
  await expect(obs.row('notes.txt')).toContainText('23 B');

  const download = page.waitForEvent('download');
  await obs.row('notes.txt').getByRole('link', { name: 'Download' }).click();
  const saved = await (await download).path();
  expect(fs.readFileSync(saved, 'utf8')).toBe('hello from the e2e spec');

  await obs.row('notes.txt').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('This folder is empty.')).toBeVisible();
});
