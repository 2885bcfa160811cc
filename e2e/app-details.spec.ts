/**
 * An AI application's editable details (guide §2.4): documentation links (web addresses only, at
 * most 3) and model precision kept to 17 decimal places (table 4-2), each bad value refused on its
 * field, both still there after a reload.
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, importIris } from './pages/gateway';

test('edit the documentation links and the model precision of an AI application', async ({ page, request }) => {
  const a = await api(request);
  const [appId] = await importIris(a, 'details-e2e', 'iris-details', ['0.0.1']);
  await login(page, `/ai-apps/${appId}`);

  await page.getByRole('tab', { name: 'Model precision' }).click();
  await expect(page.getByTestId('metric-accuracy')).toHaveText('0.9933');
  await page.getByRole('button', { name: 'Edit precision' }).click();
  const editor = page.getByTestId('precision-editor');
  await editor.getByRole('textbox', { name: 'Accuracy' }).fill('0.123456789012345678');
  await editor.getByRole('textbox', { name: 'F1 score' }).fill('high');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.getByRole('alert')).toHaveText('Enter a number, e.g. 0.9933.');
  await editor.getByRole('textbox', { name: 'F1 score' }).fill('0.5');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('metric-accuracy')).toHaveText('0.12345678901234567');
  await expect(page.getByTestId('metric-f1')).toHaveText('0.5');

  await page.getByRole('button', { name: 'Edit documents' }).click();
  const docs = page.getByTestId('docs-editor');
  await docs.getByRole('button', { name: 'Add document' }).click();
  await docs.getByRole('textbox', { name: 'Document 1 name' }).fill('Model card');
  await docs.getByRole('textbox', { name: 'Document 1 address' }).fill('javascript:alert(1)');
  await docs.getByRole('button', { name: 'Save' }).click();
  await expect(docs.getByRole('alert')).toHaveText('Use an http:// or https:// address.');
  await docs.getByRole('textbox', { name: 'Document 1 address' }).fill('https://example.com/card');
  await docs.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('link', { name: 'Model card' })).toHaveAttribute('href', 'https://example.com/card');

  await page.reload();
  await expect(page.getByRole('link', { name: 'Model card' })).toHaveAttribute('href', 'https://example.com/card');
  await page.getByRole('tab', { name: 'Model precision' }).click();
  await expect(page.getByTestId('metric-accuracy')).toHaveText('0.12345678901234567');
});
