/** Guide §3.1.1: an instance not up within the deploy timeout fails the deployment with event S27. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getToken, isAlive, processesWithAnvilId, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const MINUTE_MS = 300; // the deploy timeout's "minute", shrunk so 3 minutes last 0.9 s

let anvil: TTestAnvil;
let call: (p: string, init?: RequestInit) => Promise<Response>;
let projectId: string;

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { deployMinuteMs: MINUTE_MS });
  const auth = await getToken(anvil.url);
  projectId = auth.projectId;
  call = (p, init = {}) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' } });
  await call('/obs/models', { method: 'PUT' });
  await call('/obs/models/slow?extract=zip', { method: 'PUT', body: zipFolder('e2e/fixtures/slow-start/model') });
});
afterAll(() => stopTestAnvil(anvil));

it('fails a deployment whose instance is not ready in time, and stops the instance', async () => {
  const { model_id } = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'slow', source_location: 'obs://models/slow' }) })).json()) as { model_id: string };
  await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model_id}`)).json()) as { model_status: string }).model_status === 'normal');
  const body = { service_name: 'too-slow', deploy_timeout: 3, config: [{ model_id, specification: 'cpu.1u2g', envs: { SLOW_START_SECONDS: '60' } }] };
  const { service_id } = (await (await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify(body) })).json()) as { service_id: string };
  const [instance] = await waitFor(async () => {
    const pids = anvil.core.reconciler.instancesOf(service_id).filter((i) => i.pid);
    return pids.length > 0 && pids;
  });

  const started = Date.now();
  await waitFor(async () => ((await (await call(`/v1/${projectId}/services/${service_id}`)).json()) as { status: string }).status === 'failed', 10_000);
  expect(Date.now() - started).toBeLessThan(3 * MINUTE_MS + 2000);
  const events = ((await (await call(`/v1/${projectId}/services/${service_id}/events`)).json()) as { events: { message: string; type: string }[] }).events;
  expect(events[0]).toEqual(expect.objectContaining({ type: 'abnormal', message: 'Deploying timeout, details: 0 of 1 instances ready after 3 minutes' }));
  await waitFor(async () => !isAlive(instance.pid!), 10_000, 'instance stopped');
  expect(processesWithAnvilId(service_id)).toEqual([]);
});
