/**
 * Users and projects in the browser: the administrator creates a second project and a user who is
 * a member of it; that user sees none of the first project's buckets, AI applications or services.
 * A member of two projects switches between them in the header.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AdminPage, loginAs, logout } from './pages/admin';
import { CreateAppPage, login, ObsPage } from './pages/console';

const BUCKET = 'users-spec-models';
const PROJECT = 'team-e2e';

test.describe.serial('users and projects', () => {
  test("a user of a second project sees none of the first project's resources", async ({ page }) => {
    await login(page);
    // The first project has a bucket, an AI application and a service.
    await new ObsPage(page).uploadFolderToNewBucket(BUCKET, path.resolve('examples/iris'));
    const app = await new CreateAppPage(page).importApp('iris-first-project', BUCKET, 'iris');
    await app.getByRole('link', { name: 'Deploy' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('iris-first-project');
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);

    const admin = new AdminPage(page);
    await admin.open();
    // A bad name is refused under its field.
    await admin.submitProject('Team E2E');
    await expect(page.getByRole('dialog').getByRole('alert')).toHaveText('Start with a lowercase letter; then lowercase letters, digits, "-" and "_".');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await admin.createProject(PROJECT);
    await admin.createUser('erin', 'erin-password', [PROJECT]);
    await logout(page);

    await loginAs(page, 'erin', 'erin-password');
    await expect(page.getByTestId('current-project')).toHaveText(PROJECT);
    await expect(page.getByRole('link', { name: 'Users and projects' })).toHaveCount(0);
    const obs = new ObsPage(page);
    await obs.open();
    await expect(page.getByText('No buckets yet.')).toBeVisible();
    await expect(page.getByRole('button', { name: `🪣 ${BUCKET}` })).toHaveCount(0);
    await page.getByRole('link', { name: 'AI applications' }).click();
    await expect(page.getByText('No AI applications yet.')).toBeVisible();
    await page.getByRole('link', { name: 'Online services' }).click();
    await expect(page.getByText('No online services yet.')).toBeVisible();
    // The page itself refuses a user who is not an administrator.
    await page.goto('/admin');
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Only an administrator can manage users and projects.');
    await logout(page);
  });

  test('a member of two projects switches between them in the header', async ({ page }) => {
    await login(page, '/obs');
    const admin = new AdminPage(page);
    await admin.open();
    await admin.addToProject('admin', PROJECT);

    await page.getByRole('link', { name: 'Object storage' }).click();
    await expect(page.getByRole('button', { name: `🪣 ${BUCKET}` })).toBeVisible();
    await page.getByRole('combobox', { name: 'Switch project' }).selectOption({ label: PROJECT });
    await expect(page.getByText('No buckets yet.')).toBeVisible();
    await expect(page.getByRole('button', { name: `🪣 ${BUCKET}` })).toHaveCount(0);
    await page.getByRole('combobox', { name: 'Switch project' }).selectOption({ label: 'default' });
    await expect(page.getByRole('button', { name: `🪣 ${BUCKET}` })).toBeVisible();
  });
});
