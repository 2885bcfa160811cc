/**
 * Guide §3.1.6 in the browser: deploy the iris example, open the CloudShell tab of the running
 * service, type commands into the terminal (ASCII and Chinese) and read their output from xterm's
 * rows; the terminal reconnects after the shell exits.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

/** The terminal's visible lines, as xterm's DOM renderer draws them. */
const rows = (page: Page) => page.locator('.xterm-rows > div').allTextContents();
const expectRow = (page: Page, text: string) => expect.poll(async () => (await rows(page)).map((r) => r.trim())).toContain(text);

test('a terminal in the running instance from the CloudShell tab', async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('cloudshell', path.resolve('examples/iris'));
  const appRow = await new CreateAppPage(page).importApp('shell-iris', 'cloudshell', 'iris');
  await appRow.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('shell-online');
  await page.getByRole('button', { name: 'Submit' }).click();

  const service = new ServicePage(page);
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  await service.tab('CloudShell').click();
  const panel = page.getByTestId('cloud-shell');
  await expect(panel.getByRole('combobox', { name: 'AI application version' })).toContainText('shell-iris');
  await expect(panel.getByRole('combobox', { name: 'Compute node' })).toContainText('(Ready)');
  const status = page.getByTestId('cloud-shell-status');
  await expect(status).toHaveAttribute('data-state', 'connected');
  await expect(status).toHaveText('● Connected');

  await page.getByTestId('cloud-shell-terminal').click();
  await page.keyboard.type('echo hel""lo');
  await page.keyboard.press('Enter');
  await expectRow(page, 'hello');
  await page.keyboard.type('echo 你好');
  await page.keyboard.press('Enter');
  await expectRow(page, '你好');

  // The shell ends: the status says why, and Reconnect logs in again.
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(status).toHaveAttribute('data-state', 'disconnected');
  await expect(status).toHaveText('● Disconnected: the shell exited');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await expect(status).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('cloud-shell-terminal').click();
  await page.keyboard.type('echo again-$((20+1))');
  await page.keyboard.press('Enter');
  await expectRow(page, 'again-21');

  await service.tab('Events').click();
  await expect(service.events()).toContainText('CloudShell session opened by admin on instance');
  await expect(service.events()).toContainText('closed: the shell exited (exit code 0)');
});
