/** The gateway's time limit against a real slow model: the client gets 504, not a hang. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';

const SLOW_MODEL = `
import time
from model_service.model_service import SingleNodeService

class Slow(SingleNodeService):
    def _inference(self, data):
        time.sleep(float(data.get("sleep", 0)))
        return {"slept": data.get("sleep", 0)}
`;

let anvil: TTestAnvil;
let token: string;
let serviceId: string;

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { predictionTimeoutMs: 800 });
  let projectId: string;
  ({ token, projectId } = await getToken(anvil.url));
  const call = (p: string, init: RequestInit = {}) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json' } });
  await call('/obs/models', { method: 'PUT' });
  await call('/obs/models/slow/model/config.json', { method: 'PUT', body: JSON.stringify({ model_algorithm: 'slow', model_type: 'MindSpore', runtime: 'aarch64' }) });
  await call('/obs/models/slow/model/customize_service.py', { method: 'PUT', body: SLOW_MODEL });
  const { model_id } = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'slow', source_location: 'obs://models/slow' }) })).json()) as { model_id: string };
  await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model_id}`)).json()) as { model_status: string }).model_status === 'normal');
  ({ service_id: serviceId } = (await (
    await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify({ service_name: 'slow', config: [{ model_id, specification: 'cpu.1u2g' }] }) })
  ).json()) as { service_id: string });
  await waitFor(async () => ((await (await call(`/v1/${projectId}/services/${serviceId}`)).json()) as { status: string }).status === 'running');
});
afterAll(() => stopTestAnvil(anvil));

const predict = (sleep: number) =>
  fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ sleep }) });

it('answers within the limit pass through', async () => {
  const res = await predict(0.1);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ slept: 0.1 });
});

it('a prediction past the limit (40 s in production, 0.8 s here) gets 504 APIG.0203 "Backend timeout"', async () => {
  const started = Date.now();
  const res = await predict(3);
  expect(res.status).toBe(504);
  expect(await res.json()).toMatchObject({ error_code: 'APIG.0203', error_msg: 'Backend timeout' });
  expect(Date.now() - started).toBeLessThan(2500);
});
