/** Page objects for "Users and projects" and for logging in as any user. */
import { expect, type Page } from '@playwright/test';

export async function loginAs(page: Page, userName: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(userName);
}

export async function logout(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
}

export class AdminPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'Users and projects' }).click();
    await expect(this.page.getByRole('heading', { name: 'Users and projects', level: 1 })).toBeVisible();
  }

  /** Opens the create-project dialog and submits `name`; the caller checks the outcome. */
  async submitProject(name: string) {
    await this.page.getByRole('button', { name: 'Create project' }).click();
    await this.page.getByLabel('Project name').fill(name);
    await this.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  }

  async createProject(name: string) {
    await this.submitProject(name);
    await expect(this.page.locator(`tr[data-project="${name}"]`)).toBeVisible();
  }

  async createUser(name: string, password: string, projects: string[]) {
    await this.page.getByRole('button', { name: 'Create user' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('User name').fill(name);
    await dialog.getByLabel('Password').fill(password);
    for (const p of projects) await dialog.getByRole('checkbox', { name: p }).check();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
    for (const p of projects) await expect(this.userRow(name).locator(`[data-member="${p}"]`)).toBeVisible();
  }

  async addToProject(user: string, project: string) {
    const row = this.userRow(user);
    await row.getByRole('combobox', { name: 'Add to project' }).selectOption({ label: project });
    await row.getByRole('button', { name: 'Add to project' }).click();
    await expect(row.locator(`[data-member="${project}"]`)).toBeVisible();
  }

  userRow(name: string) {
    return this.page.locator(`tr[data-user="${name}"]`);
  }
}
