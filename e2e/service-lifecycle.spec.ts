/**
 * Guide §3.4 from the console: stop, start and restart a service from the list and from its page,
 * watching the status change live; a refused operation is a disabled button that says why; the
 * auto-stop countdown can be switched on on a running service.
 */
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

async function confirm(page: Page) {
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
}

const statusOf = (scope: Locator) => scope.locator('[data-status]').first();

test('stop, start and restart from the list and the detail page, with live status and auto-stop countdown', async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('lifecycle', path.resolve('e2e/fixtures/lifecycle'));
  const appRow = await new CreateAppPage(page).importApp('lifecycle', 'lifecycle', 'lifecycle');
  await appRow.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('cycle-online');
  await page.getByRole('checkbox', { name: 'Auto stop' }).uncheck();
  await page.getByRole('button', { name: 'Submit' }).click();

  const service = new ServicePage(page);
  const status = statusOf(service.status());
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  const actions = page.locator('.page-head').getByTestId('service-actions');
  await expect(actions.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
  await expect(actions.getByRole('button', { name: 'Start', exact: true })).toHaveAttribute('title', /A running service cannot be started/);
  await expect(page.getByText('Off', { exact: true })).toBeVisible();

  // Detail page: stop → Stopped, then start → Running, without a reload.
  await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 7));
  await actions.getByRole('button', { name: 'Stop', exact: true }).click();
  await confirm(page);
  await expect(status).toHaveAttribute('data-status', 'stopped');
  await expect(actions.getByRole('button', { name: 'Restart' })).toBeDisabled();
  await actions.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await actions.getByRole('button', { name: 'Restart' }).click();
  await confirm(page);
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await service.tab('Events').click();
  // The stop and the restart each stopped and started the service once: two of each event.
  const eventCount = (text: string) => service.events().getByText(text, { exact: true });
  await expect(eventCount('Stopping service.')).toHaveCount(2);
  await expect(eventCount('Service stopped.')).toHaveCount(2);
  await expect(eventCount('Starting service.')).toHaveCount(2);
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(7);

  // Auto-stop switched on while running: a countdown appears and an event says when.
  await page.getByRole('button', { name: 'Edit auto stop' }).click();
  const editor = page.getByTestId('auto-stop-editor');
  await editor.getByRole('checkbox', { name: 'Auto stop' }).check();
  await editor.getByRole('combobox', { name: 'Stop after' }).selectOption('2');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('auto-stop-countdown')).toHaveText(/^Stops in 1 h 59 min \d\d s$/);
  const first = await page.getByTestId('auto-stop-countdown').textContent();
  await expect(page.getByTestId('auto-stop-countdown')).not.toHaveText(first!);
  await expect(service.events()).toContainText('Auto-stop switched on, service will be stopped in 2 hours.');

  // The list: the same actions per row, and the countdown column.
  await page.getByRole('link', { name: 'Online services' }).click();
  const row = page.locator('tr[data-service="cycle-online"]');
  await expect(row).toContainText(/Stops in 1 h 59 min/);
  await row.getByRole('button', { name: 'Stop', exact: true }).click();
  await confirm(page);
  await expect(statusOf(row)).toHaveAttribute('data-status', 'stopped');
  await expect(row).toContainText('On: stops 2 hour(s) after it is running');
  await row.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(statusOf(row)).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await row.getByRole('button', { name: 'Restart' }).click();
  await confirm(page);
  await expect(statusOf(row)).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  // The list's restart really restarted it: a third stop and a fourth start on the service's events.
  await row.getByRole('link', { name: 'cycle-online' }).click();
  await service.tab('Events').click();
  await expect(eventCount('Stopping service.')).toHaveCount(4);
  await expect(eventCount('Starting service.')).toHaveCount(4);
  await page.getByRole('link', { name: 'Online services' }).click();
  await row.getByRole('button', { name: 'Delete' }).click();
  await confirm(page);
  await expect(row).toHaveCount(0);
});
