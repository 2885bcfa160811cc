/** Page objects for the console: each wraps one screen's controls the way a user finds them. */
import { expect, type Locator, type Page } from '@playwright/test';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export async function login(page: Page, next = '/ai-apps') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText('admin');
}

export class ObsPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'Object storage' }).click();
    await expect(this.page.getByRole('heading', { name: 'Object storage' })).toBeVisible();
  }

  async createBucket(name: string) {
    await this.page.getByRole('button', { name: 'Create bucket' }).click();
    await this.page.getByLabel('Bucket name').fill(name);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }

  async openBucket(name: string) {
    await this.page.getByRole('button', { name: `🪣 ${name}` }).click();
  }

  /** Creates `bucket` and uploads the folder `dir` into it. */
  async uploadFolderToNewBucket(bucket: string, dir: string) {
    await this.open();
    await this.createBucket(bucket);
    await this.openBucket(bucket);
    await this.uploadFolder(dir);
  }

  async uploadFolder(dir: string) {
    await this.page.getByTestId('upload-folder').setInputFiles(dir);
    await expect(this.page.getByRole('status')).toContainText('Uploaded');
  }

  async uploadZip(file: string) {
    await this.page.getByTestId('upload-zip').setInputFiles(file);
    await expect(this.page.getByRole('status')).toContainText('Uploaded');
  }

  row(name: string) {
    return this.page.getByRole('row').filter({ hasText: name });
  }
}

export class CreateAppPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'AI applications' }).click();
    await this.page.getByRole('link', { name: 'Create AI application' }).click();
  }

  async fill(name: string, bucket: string, folder: string) {
    await this.page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await this.page.getByRole('button', { name: 'Choose directory' }).click();
    const dialog = this.page.getByRole('dialog');
    await dialog.getByRole('button', { name: `🪣 ${bucket}` }).click();
    await dialog.getByRole('button', { name: `📁 ${folder}` }).click();
    await dialog.getByRole('button', { name: 'Choose this directory' }).click();
  }

  async submit() {
    await this.page.getByRole('button', { name: 'Create now' }).click();
  }

  /** Creates an AI application from `bucket/folder` and waits until its list row shows Normal. */
  async importApp(name: string, bucket: string, folder: string, description?: string): Promise<Locator> {
    await this.open();
    await this.fill(name, bucket, folder);
    if (description) await this.page.getByRole('textbox', { name: 'Description' }).fill(description);
    await this.submit();
    const row = this.page.locator(`tr[data-app="${name}"]`);
    await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'normal');
    return row;
  }
}

export class ServicePage {
  constructor(private readonly page: Page) {}

  tab(name: string) {
    return this.page.getByRole('tab', { name });
  }

  status() {
    return this.page.getByTestId('service-status');
  }

  events() {
    return this.page.getByTestId('events-table');
  }
}
