/**
 * The Logs tab (guide §3.1.2 / table 3-5): a model that prints two lines per request; search with a
 * `?` wildcard and with a quoted phrase (matches marked), then follow the live tail, pause it while
 * lines keep arriving, and resume.
 */
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
