/** The gateway's time limit against a real slow model: the client gets 504, not a hang. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage, SLOW_MODEL } from '../../test-support/deploy-package';

let anvil: TTestAnvil;
let token: string;
let serviceId: string;

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { predictionTimeoutMs: 800 });
  const auth = await getToken(anvil.url);
  token = auth.token;
  ({ serviceId } = await deployPackage(anvil.url, auth, 'slow', SLOW_MODEL));
}, 60_000);
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
