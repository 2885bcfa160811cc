/**
 * The Logs tab (guide §3.1.2 / table 3-5): a model that prints two lines per request; search with a
 * `?` wildcard and with a quoted phrase (matches marked), then follow the live tail, pause it while
 * lines keep arriving, and resume.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { login } from './pages/console';
import { api, type TApi } from './pages/gateway';

const TALKER = `from model_service.model_service import SingleNodeService

class Talker(SingleNodeService):
    def _inference(self, data):
        print("request %s: an error occurred in stage two" % data.get("i"), flush=True)
        print("request %s: an erXor too, with Connection Refused" % data.get("i"), flush=True)
        return data
`;

async function deployTalker(request: APIRequestContext, a: TApi): Promise<string> {
  const put = (p: string, data: string) => request.put(p, { headers: { 'x-auth-token': a.token }, data });
  await put('/obs/logs-e2e', '');
  await put('/obs/logs-e2e/talker/model/config.json', JSON.stringify({ model_algorithm: 'talker', model_type: 'MindSpore', runtime: 'aarch64' }));
  await put('/obs/logs-e2e/talker/model/customize_service.py', TALKER);
  const model = await a.call('POST', `/v1/${a.projectId}/models`, { model_name: 'talker', source_location: 'obs://logs-e2e/talker' });
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/models/${model.json.model_id}`)).json.model_status, { timeout: 30_000 }).toBe('normal');
  const service = await a.call('POST', `/v1/${a.projectId}/services`, { service_name: 'talker', schedule: [], config: [{ model_id: model.json.model_id, specification: 'cpu.1u2g' }] });
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/services/${service.json.service_id}`)).json.status, { timeout: 60_000 }).toBe('running');
  return service.json.service_id as string;
}

test('search logs with er?or and a quoted phrase, then tail them live with pause and resume', async ({ page, request }) => {
  const a = await api(request);
  const serviceId = await deployTalker(request, a);
  const predict = async (i: number) => expect((await a.call('POST', `/v1/infers/${serviceId}`, { i })).status).toBe(200);
  await predict(1);
  await predict(2);

  await login(page, `/services/${serviceId}`);
  await page.getByRole('tab', { name: 'Logs' }).click();
  const view = page.getByTestId('log-view');
  const keyword = page.getByLabel('Keyword');
  // The lines are stored within 200 ms; search until both requests' lines are there.
  await expect
    .poll(async () => {
      await keyword.fill('er?or');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      return view.locator('.log-line').count();
    })
    .toBe(4);
  await expect(view.locator('mark')).toHaveText(['error', 'erXor', 'error', 'erXor']);

  await keyword.fill('"stage two"');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(view.locator('.log-line')).toHaveCount(2);
  await expect(view.locator('mark')).toHaveText(['stage two', 'stage two']);

  await page.getByLabel('Live tail').check();
  await expect(view).toContainText('Waiting for new lines');
  await predict(99);
  await expect(view).toContainText('request 99: an error occurred in stage two');
  await page.getByRole('button', { name: 'Pause' }).click();
  await predict(100);
  await expect(page.getByRole('button', { name: 'Resume (2 new)' })).toBeVisible();
  await expect(view).not.toContainText('request 100');
  await page.getByRole('button', { name: 'Resume (2 new)' }).click();
  await expect(view).toContainText('request 100: an erXor too, with Connection Refused');
});

// Uses the `talker` service the test above deployed (the specs of a file run in order, one worker).
test('export a service\'s logs to Loki from the logs tab', async ({ page, request }) => {
  const pushed: string[] = [];
  const loki = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      pushed.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => loki.listen(0, '127.0.0.1', r));
  try {
    const a = await api(request);
    const serviceId = (await a.call('GET', `/v1/${a.projectId}/services`)).json.services.find((s: { service_name: string }) => s.service_name === 'talker').service_id as string;
    await login(page, `/services/${serviceId}`);
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByText('Log export: Off').click();
    await page.getByLabel('Send logs to').selectOption('loki');
    await page.getByLabel('Push URL').fill('ftp://nowhere');
    await page.getByRole('button', { name: 'Save export' }).click();
    await expect(page.locator('.log-export').getByRole('alert')).toContainText('An http(s) URL');
    await page.getByLabel('Push URL').fill(`http://127.0.0.1:${(loki.address() as AddressInfo).port}/loki/api/v1/push`);
    await page.getByRole('button', { name: 'Save export' }).click();
    await expect(page.getByText('Log export: Loki')).toBeVisible();
    expect((await a.call('POST', `/v1/infers/${serviceId}`, { i: 7 })).status).toBe(200);
    await expect(page.getByTestId('log-export-status')).toContainText(/^[1-9]\d* lines delivered, 0 failed batches/, { timeout: 15_000 });
    expect(pushed.join('\n')).toContain('request 7: an error occurred in stage two');
  } finally {
    loki.close();
  }
});
