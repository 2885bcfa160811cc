/**
 * Alarm rules in the console (guide §5.2): from the monitoring tab, create a rule on the service's
 * 4xx count (a bad threshold is refused first), then send refused calls until it fires: the bell
 * counts it, the service shows the Alarm status, the notification names the rule; once the calls
 * stop, the alarm resolves. The e2e server's metric minute is 6 s (playwright.config.ts).
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, deploy, importIris } from './pages/gateway';

test('a rule created from the monitoring tab fires (bell, Alarm status) and resolves', async ({ page, request }) => {
  const a = await api(request);
  const [modelId] = await importIris(a, 'alarms-e2e', 'iris-alarmed', ['0.0.1']);
  const serviceId = await deploy(a, 'alarmed-iris', modelId);

  await login(page, `/services/${serviceId}`);
  await page.getByRole('tab', { name: 'Monitoring' }).click();
  await page.getByRole('link', { name: 'Create alarm rule' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create alarm rule' });
  await expect(dialog.getByLabel('Monitored object')).toHaveValue('service');
  await expect(dialog.getByLabel('Service')).toHaveValue(serviceId);
  await dialog.getByLabel('Rule name').fill('refused calls');
  await dialog.getByLabel('Metric').selectOption('req_count_4xx');
  await dialog.getByLabel('Threshold').fill('abc');
  await dialog.getByLabel('Consecutive periods').fill('1');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Enter a number.');
  await dialog.getByLabel('Threshold').fill('1');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toContainText('webhook secret');
  const rule = page.getByTestId('alarm-rule');
  await expect(rule).toContainText('req_count_4xx sum > 1 · 1 × 1 min');
  await expect(rule).toContainText('OK');

  // Refused calls (a wrong token) until the rule fires: the bell counts it without a reload.
  const bell = page.getByTestId('bell-count');
  await expect
    .poll(
      async () => {
        for (let i = 0; i < 3; i++) await request.post(`/v1/infers/${serviceId}`, { headers: { 'x-auth-token': 'wrong' }, data: {} });
        return (await bell.isVisible()) ? Number(await bell.textContent()) : 0;
      },
      { timeout: 45_000, intervals: [1000] },
    )
    .toBeGreaterThan(0);
  await expect(rule).toContainText('Firing');
  await expect(page.getByTestId('alarm').first()).toContainText('Firing');
  await page.getByRole('button', { name: /^Notifications: \d+ unread$/ }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('MAJOR: refused calls');
  await expect(bell).toBeHidden();

  await page.goto(`/services/${serviceId}`);
  await expect(page.getByTestId('service-status')).toHaveText('Alarm');
  await expect(page.getByTestId('status-reason')).toContainText('Alarm "refused calls" (major) is firing');

  // No more refused calls: the first quiet period resolves it and the service runs again.
  await expect(page.getByTestId('service-status')).toHaveText('Running', { timeout: 30_000 });
  await page.goto('/alarms');
  await expect(page.getByTestId('alarm').first()).toContainText('Resolved');
});
