/**
 * The Monitoring tab (guide table 3-5, §5): open it on a running service, send predictions over
 * REST, and watch the call count rise live (the collector ticks every 10 s over socket.io) while
 * the charts say which metrics this service cannot have and why.
 */
import { expect, test } from '@playwright/test';
import { login } from './pages/console';
import { api, deploy, importIris, IRIS_BODY } from './pages/gateway';

test('calls rise live on the monitoring tab; unavailable metrics say why', async ({ page, request }) => {
  const a = await api(request);
  const [modelId] = await importIris(a, 'monitoring-e2e', 'iris-monitored', ['0.0.1']);
  const serviceId = await deploy(a, 'monitored-iris', modelId);

  await login(page, `/services/${serviceId}`);
  await page.getByRole('tab', { name: 'Monitoring' }).click();
  await expect(page.getByTestId('monitoring-note')).toContainText('Data begins when the service became ready');
  await expect(page.getByRole('figure', { name: 'GPU usage' })).toContainText("Unavailable: this service's instances have no GPU.");
  await expect(page.getByRole('figure', { name: 'NPU usage' })).toContainText('no node of Anvil reports an NPU');
  await expect(page.getByRole('figure', { name: 'Uplink / downlink rate' })).toContainText('instances share the host network');
  await expect(page.getByText('Live: updated every 10 s')).toBeVisible();

  for (let i = 0; i < 30; i++) expect((await a.call('POST', `/v1/infers/${serviceId}`, IRIS_BODY)).status).toBe(200);
  // 30 calls within one 10-s tick read as a per-minute rate: a count above zero appears without reload.
  const calls = page.getByTestId('now-total_called_times');
  await expect.poll(async () => Number(await calls.textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
  // The calls chart draws (uPlot's canvas) from the live ticks, its legend naming the series.
  const chart = page.getByRole('figure', { name: 'Calls by status' });
  await expect(chart.locator('canvas')).toBeVisible();
  await expect(chart.getByText('req_count_2xx')).toBeVisible();
  await expect(page.getByTestId('now-mem_usage')).toHaveText(/^\d+(\.\d)?%$/);

  await page.getByLabel('Series').selectOption('version');
  await expect(chart.getByText('iris-monitored 0.0.1 total')).toBeVisible({ timeout: 30_000 });
});

test('the overview counts calls and failed calls of the last 24 h and shows node capacity', async ({ page, request }) => {
  const a = await api(request);
  const [modelId] = await importIris(a, 'overview-e2e', 'iris-overview', ['0.0.1']);
  const serviceId = await deploy(a, 'overview-iris', modelId);
  await login(page, '/');
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  expect(Number(await page.getByTestId('services-running').textContent())).toBeGreaterThan(0);
  // Other specs' services count too: the overview must grow by what this one sends.
  const before = { calls: Number(await page.getByTestId('calls-24h').textContent()), errors: Number(await page.getByTestId('errors-24h').textContent()) };

  for (let i = 0; i < 12; i++) expect((await a.call('POST', `/v1/infers/${serviceId}`, IRIS_BODY)).status).toBe(200);
  for (let i = 0; i < 3; i++) await request.post(`/v1/infers/${serviceId}`, { headers: { 'x-auth-token': 'wrong' }, data: {} });
  // The e2e server's metric minute is 6 s: the calls land in the overview within a few refreshes.
  await expect
    .poll(async () => {
      await page.reload();
      const calls = Number(await page.getByTestId('calls-24h').textContent());
      const errors = Number(await page.getByTestId('errors-24h').textContent());
      return calls - before.calls >= 15 && errors - before.errors >= 3;
    }, { timeout: 40_000, intervals: [3000] })
    .toBe(true);
  await expect(page.getByRole('table', { name: 'Most called services' }).getByRole('row').first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Highest error rates' }).getByRole('row').first()).toContainText('%');
  await expect(page.getByTestId('overview-node').first()).toContainText('vCPU');
});
