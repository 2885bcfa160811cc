/**
 * Gray release in the console (guide table 3-2 and §3.1.2): add a second version of the service's
 * AI application at 20%, then a personalized rule that sends a header's calls to it; both show on
 * the service page, and a bad condition is refused with its position.
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, deploy, importIris } from './pages/gateway';

test('a second version at 20% and a header rule, shown on the service page', async ({ page, request }) => {
  const a = await api(request);
  const [v1] = await importIris(a, 'gray-e2e', 'iris-gray', ['0.0.1', '0.0.2']);
  const serviceId = await deploy(a, 'gray-iris', v1);

  await login(page, `/services/${serviceId}`);
  const versions = page.getByRole('region', { name: 'Versions' });
  await expect(versions.getByTestId('service-version')).toHaveCount(1);
  await versions.getByRole('button', { name: 'Add version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Versions and traffic ratios' });
  await dialog.getByRole('button', { name: 'New version' }).click();
  await dialog.getByLabel('Traffic ratio 1').fill('80');
  await dialog.getByLabel('Traffic ratio 2').fill('30');
  await expect(dialog.getByTestId('weight-sum')).toHaveText('Sum: 110%');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toContainText('must sum to 100%');
  await dialog.getByLabel('Traffic ratio 2').fill('20');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(versions.getByTestId('service-version')).toHaveCount(2);
  await expect(versions.getByTestId('version-weight')).toHaveText(['80%', '20%']);
  await expect(versions.getByTestId('service-version').nth(1)).toContainText('iris-gray 0.0.2');
  await expect(versions.getByTestId('service-version').nth(1)).toContainText('1/1', { timeout: 60_000 });

  const rules = page.getByRole('region', { name: 'Personalized configuration' });
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await rules.getByLabel('Condition 1').fill("#HEADER_x-canary = 'yes'");
  await rules.getByRole('button', { name: 'Save rules' }).click();
  await expect(rules.getByRole('alert')).toContainText('position');
  await rules.getByLabel('Condition 1').fill("#HEADER_x-canary == 'yes'");
  await rules.getByLabel('Target version 1').selectOption({ label: 'iris-gray 0.0.2' });
  await rules.getByLabel('Header name 1').fill('X-Config');
  await rules.getByLabel('Header value 1').fill('B');
  await rules.getByRole('button', { name: 'Save rules' }).click();
  await expect(rules.getByRole('status')).toHaveText('Rules saved.');

  await page.reload();
  await expect(page.getByRole('region', { name: 'Versions' }).getByTestId('version-weight')).toHaveText(['80%', '20%']);
  await expect(page.getByRole('region', { name: 'Personalized configuration' }).getByLabel('Condition 1')).toHaveValue("#HEADER_x-canary == 'yes'");
  const saved = await a.call('GET', `/v1/${a.projectId}/services/${serviceId}/rules`);
  expect(saved.json.rules).toEqual([{ condition: "#HEADER_x-canary == 'yes'", version_id: expect.any(String), header_name: 'X-Config', header_value: 'B' }]);
});
