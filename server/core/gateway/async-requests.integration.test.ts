/**
 * Asynchronous requests (guide table 2-11) over real HTTP: an application imported with
 * `request_mode: async` answers 202 with a request id at once, even for an inference longer than the
 * prediction limit, and the result is fetched from /results/{request_id} with the same credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage, SLOW_MODEL } from '../../test-support/deploy-package';
import { AsyncResults } from './async-results';

let anvil: TTestAnvil;
let token: string;
let serviceId: string;
const infer = (path: string, init: RequestInit = {}, auth = true) =>
  fetch(`${anvil.url}/v1/infers/${serviceId}${path}`, { ...init, headers: { ...(auth ? { 'x-auth-token': token } : {}), 'content-type': 'application/json' } });

beforeAll(async () => {
  // Synchronous predictions here are cut at 0.8 s; the asynchronous one takes 1.5 s.
  anvil = await startTestAnvil(undefined, { predictionTimeoutMs: 800 });
  const auth = await getToken(anvil.url);
  token = auth.token;
  const deployed = await deployPackage(anvil.url, auth, 'slow-async', SLOW_MODEL, { model: { request_mode: 'async' } });
  serviceId = deployed.serviceId;
  const model = await fetch(`${anvil.url}/v1/${auth.projectId}/models/${deployed.modelId}`, { headers: { 'x-auth-token': token } });
  expect(await model.json()).toMatchObject({ request_mode: 'async' });
}, 60_000);
afterAll(() => stopTestAnvil(anvil));

describe('an asynchronous service', () => {
  it('answers 202 with a request id at once, then the result past the prediction limit', async () => {
    const started = Date.now();
    const accepted = await infer('', { method: 'POST', body: JSON.stringify({ sleep: 1.5 }) });
    expect(Date.now() - started).toBeLessThan(500);
    expect(accepted.status).toBe(202);
    const { request_id: id, result_url: resultUrl } = (await accepted.json()) as { request_id: string; result_url: string };
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(resultUrl).toBe(`/v1/infers/${serviceId}/results/${id}`);
    const running = await infer(`/results/${id}`);
    expect([running.status, await running.json()]).toEqual([202, { request_id: id, status: 'running' }]);
    const done = await waitFor(async () => {
      const res = await infer(`/results/${id}`);
      return res.status === 200 ? res : undefined;
    }, 10_000, 'the result');
    expect(done.headers.get('x-anvil-request-status')).toBe('done');
    expect(await done.json()).toEqual({ slept: 1.5 });
  });

  it('asks for credentials to fetch a result, and answers 404 for an unknown request', async () => {
    const { request_id: id } = (await (await infer('', { method: 'POST', body: JSON.stringify({ sleep: 0 }) })).json()) as { request_id: string };
    expect((await infer(`/results/${id}`, {}, false)).status).toBe(401);
    const unknown = await infer(`/results/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: 'ModelArts.4304' });
  });
});

describe('AsyncResults', () => {
  it('keeps a finished result for its retention time, then forgets it; never for another service', () => {
    let t = 0;
    const results = new AsyncResults({ ttlMs: 60_000, clock: () => t });
    results.start('r1', 's1');
    expect(results.get('r1', 's1')?.state).toBe('running');
    t = 5_000;
    results.finish('r1', { status: 200, contentType: 'application/json', body: Buffer.from('{}') });
    expect(results.get('r1', 's2')).toBeUndefined();
    t = 64_000;
    expect(results.get('r1', 's1')?.state).toBe('done');
    t = 65_001;
    expect(results.get('r1', 's1')).toBeUndefined();
  });
});
