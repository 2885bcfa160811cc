/** Page object for "Resource pools": pool cards, node cards and the administrators' dialogs. */
import { expect, type Page } from '@playwright/test';

export class PoolsPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByRole('link', { name: 'Resource pools' }).click();
    await expect(this.page.getByRole('heading', { name: 'Resource pools', level: 1 })).toBeVisible();
  }

  pool(id: string) {
    return this.page.locator(`section[data-pool="${id}"]`);
  }

  node(poolId: string, name: string) {
    return this.pool(poolId).locator(`[data-node="${name}"]`);
  }

  async createPool(id: string, description = '') {
    await this.page.getByRole('button', { name: 'Create pool' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Create pool' });
    await dialog.getByLabel('Pool ID').fill(id);
    if (description) await dialog.getByLabel('Description').fill(description);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.pool(id)).toBeVisible();
  }

  /** Opens the pool's "Add node" dialog and fills it; the caller submits and checks the outcome. */
  async fillNode(poolId: string, node: { name: string; endpoint: string }) {
    await this.pool(poolId).getByRole('button', { name: 'Add node' }).click();
    const dialog = this.addNodeDialog();
    await expect(dialog.getByLabel('Pool')).toHaveValue(poolId);
    await dialog.getByLabel('Node name').fill(node.name);
    await dialog.getByLabel('Endpoint').fill(node.endpoint);
    return dialog;
  }

  addNodeDialog() {
    return this.page.getByRole('dialog', { name: 'Add node' });
  }

  async deletePool(id: string) {
    await this.pool(id).getByRole('button', { name: 'Delete pool' }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect(this.pool(id)).toHaveCount(0);
  }
}
