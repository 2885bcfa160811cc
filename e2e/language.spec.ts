/** The console speaks English and Simplified Chinese; the choice survives a reload. */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';

test('switching to Simplified Chinese translates the console and remembers the choice', async ({ page }) => {
  await login(page);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
  await expect(page.getByRole('link', { name: 'AI应用' })).toBeVisible();
  await expect(page.getByRole('link', { name: '在线服务' })).toBeVisible();
  await expect(page.getByRole('link', { name: '创建应用' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'AI应用' })).toBeVisible();
  // Field errors from the shared schemas appear in Chinese too.
  await page.getByRole('link', { name: '创建应用' }).click();
  await page.getByRole('button', { name: '立即创建' }).click();
  await expect(page.getByRole('main').getByRole('alert').first()).toHaveText('请输入名称。');
  await page.getByRole('link', { name: 'AI应用' }).click();
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await expect(page.getByRole('heading', { name: 'AI applications' })).toBeVisible();
});

test('a Chinese browser gets the Chinese console by default', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: '登录 Anvil' })).toBeVisible();
  await context.close();
});
