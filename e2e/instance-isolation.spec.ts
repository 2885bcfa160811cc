/**
 * The instances tab says how model code is kept away from Anvil (issue 5 §3): as root (CI), it runs
 * as the unprivileged instance user; otherwise the page warns that it runs with Anvil's permissions.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CreateAppPage, login, ObsPage, ServicePage } from './pages/console';

test('the instances tab shows what confines the model code', async ({ page }) => {
  await login(page);
  await new ObsPage(page).uploadFolderToNewBucket('isolation', path.resolve('examples/iris'));
  const row = await new CreateAppPage(page).importApp('isolation-app', 'isolation', 'iris');
  await row.getByRole('link', { name: 'Deploy' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('isolation-svc');
  await page.getByRole('button', { name: 'Submit' }).click();
  const service = new ServicePage(page);
  await expect(service.status().locator('[data-status]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await service.tab('Instances').click();
  const notice = page.getByTestId('instance-isolation');
  if (process.getuid?.() === 0) {
    await expect(notice).toHaveText(/^Model code runs as nobody, with a group of its own per instance, in a read-only copy of the model outside Anvil's data directory/);
    await expect(notice.getByRole('alert')).toHaveCount(0); // the instance user can run the python, memory is capped
  } else {
    await expect(notice.getByRole('alert')).toContainText(
      "the process runtime runs model code with Anvil's own permissions; use the container runtime for untrusted models",
    );
  }
});
