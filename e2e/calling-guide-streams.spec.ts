/**
 * The calling guide's streaming examples work as copied (guide §3.1.4.4-5): the SSE example of a
 * service whose model yields events, and the WebSocket example of a service deployed with "upgrade to
 * WebSocket" from the example image, each run in a shell exactly as the page shows it.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { requireEngine } from './docker-engine';
import { login, ServicePage } from './pages/console';
import { api } from './pages/gateway';
import { pushExampleImage, requireExampleImage } from './pages/image-app';

const STREAMING_MODEL = `from model_service.model_service import SingleNodeService

class Words(SingleNodeService):
    def _inference(self, data):
        for word in ("one", "two", "three"):
            yield {"word": word}
`;

/** Runs the example text in sh from the checkout (where the `ws` package resolves). */
const runExample = (text: string) => execFileSync('sh', ['-c', text], { encoding: 'utf8', timeout: 20_000 });

test('the SSE example of the calling guide streams the events', async ({ page, request }) => {
  const a = await api(request);
  expect((await a.call('PUT', '/obs/sse-e2e')).status).toBe(201);
  await a.call('PUT', '/obs/sse-e2e/words/model/config.json', Buffer.from(JSON.stringify({ model_algorithm: 'words', model_type: 'MindSpore', runtime: 'aarch64' })));
  await a.call('PUT', '/obs/sse-e2e/words/model/customize_service.py', Buffer.from(STREAMING_MODEL));
  const model = await a.call('POST', `/v1/${a.projectId}/models`, { model_name: 'words', source_location: 'obs://sse-e2e/words' });
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/models/${model.json.model_id}`)).json.model_status, { timeout: 30_000 }).toBe('normal');
  const created = await a.call('POST', `/v1/${a.projectId}/services`, { service_name: 'words-sse', schedule: [], config: [{ model_id: model.json.model_id, specification: 'cpu.1u2g' }] });
  const serviceId = created.json.service_id as string;
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/services/${serviceId}`)).json.status, { timeout: 60_000 }).toBe('running');

  await login(page, `/services/${serviceId}`);
  await new ServicePage(page).tab('Calling guide').click();
  const example = (await page.getByTestId('sse-example').textContent())!;
  expect(example).toContain("-H 'Accept: text/event-stream'");
  const out = runExample(example);
  expect(out.match(/^data: .*$/gm)).toEqual(['data: {"word": "one"}', 'data: {"word": "two"}', 'data: {"word": "three"}']);
});

test('the WebSocket example of the calling guide talks to a WebSocket service', async ({ page, request }) => {
  await requireEngine();
  requireExampleImage();
  const cleanup = await pushExampleImage(request, 'ws-example');
  try {
    const a = await api(request);
    const model = await a.call('POST', `/v1/${a.projectId}/models/image`, { model_name: 'ws-example', image: 'ws-example:1.0', port: 8080 });
    expect(model.status).toBe(201);
    await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/models/${model.json.model_id}`)).json.model_status, { timeout: 30_000 }).toBe('normal');
    const created = await a.call('POST', `/v1/${a.projectId}/services`, {
      service_name: 'ws-example-svc', pool_name: 'docker', upgrade_to_websocket: true, schedule: [], config: [{ model_id: model.json.model_id, specification: 'cpu.1u2g' }],
    });
    expect(created.status).toBe(201);
    const serviceId = created.json.service_id as string;
    await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/services/${serviceId}`)).json.status, { timeout: 90_000 }).toBe('running');

    await login(page, `/services/${serviceId}`);
    await expect(page.getByText('Upgrade to WebSocket')).toBeVisible();
    await new ServicePage(page).tab('Calling guide').click();
    await expect(page.getByTestId('api-url').first()).toBeVisible();
    const example = (await page.getByTestId('websocket-example').textContent())!;
    expect(example).toContain(`ws://127.0.0.1`);
    // The image serves its WebSocket on /ws: the example's address plus the image's own path.
    expect(runExample(example.replace(`/v1/infers/${serviceId}/'`, `/v1/infers/${serviceId}/ws'`)).trim()).toBe('echo: hello');
    await a.call('DELETE', `/v1/${a.projectId}/services/${serviceId}`);
  } finally {
    cleanup();
  }
});
