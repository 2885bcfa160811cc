/**
 * Request traces over real HTTP: every call of a service is traced (refusals too), payloads only
 * when the service opts in, cut at the cap, with credentials and secret-looking fields redacted;
 * a trace's detail carries the instance's log lines of the same seconds; sampling 0 traces nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage } from '../../test-support/deploy-package';
import { jsonCaller } from '../../test-support/json-call';

const MODEL = `
from model_service.model_service import SingleNodeService

class Echo(SingleNodeService):
    def _inference(self, data):
        print("handling request %s" % data.get("n"), flush=True)
        return {"echo": data, "api_key": "model-side-secret"}
`;

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let serviceId: string;
type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = jsonCaller(() => ({ url: anvil.url, token: auth.token }));
const predict = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id')! };
};
const traces = async () => (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/traces`)).body.traces as TBody[];

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { monitoring: { autoStart: false } });
  auth = await getToken(anvil.url);
  ({ serviceId } = await deployPackage(anvil.url, auth, 'traced', MODEL));
}, 120_000);

afterAll(() => anvil?.close());

describe('request traces', () => {
  it('traces every call without payloads by default, refusals included', async () => {
    const ok = await predict({ n: 1 });
    const refused = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': 'nope' }, body: '{}' });
    await refused.arrayBuffer();
    const list = await traces();
    expect(list[0]).toMatchObject({ requestId: refused.headers.get('x-request-id'), status: 401, callerKind: '', instanceId: '' });
    const detail = anvil.core.services.get(auth.projectId, serviceId);
    expect(list[1]).toMatchObject({ requestId: ok.requestId, status: 200, callerKind: 'token', caller: 'admin', versionId: detail.versions[0].id, instanceId: detail.instances[0].id, bytesIn: 7 });
    const one = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/traces/${ok.requestId}`)).body;
    expect(one.trace.requestBody).toBeUndefined();
    // No credential reaches a trace: the token is not forwarded, so it is not in the headers.
    expect(JSON.stringify(one.trace.requestHeaders)).not.toContain(auth.token);
  });

  it('captures payloads when asked, redacts secrets, cuts at the cap, and shows the log lines of the same seconds', async () => {
    expect(await call('PUT', `/v1/${auth.projectId}/services/${serviceId}/trace-settings`, { capture_payloads: true, max_payload_bytes: 10 })).toMatchObject({ status: 400, body: { field: 'max_payload_bytes' } });
    expect(await call('PUT', `/v1/${auth.projectId}/services/${serviceId}/trace-settings`, { sample_rate: 2 })).toMatchObject({ status: 400, body: { field: 'sample_rate' } });
    const set = await call('PUT', `/v1/${auth.projectId}/services/${serviceId}/trace-settings`, { capture_payloads: true, max_payload_bytes: 256 });
    expect(set.body).toEqual({ sample_rate: 1, capacity: 1000, capture_payloads: true, max_payload_bytes: 256 });

    const small = await predict({ n: 2, password: 'hunter2' }, { 'x-customer-token': 'abc', 'x-trace-me': 'yes' });
    await new Promise((r) => setTimeout(r, 400)); // log lines are stored every 200 ms
    const { trace, logs } = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/traces/${small.requestId}`)).body;
    expect(JSON.parse(trace.requestBody)).toEqual({ n: 2, password: '[redacted]' });
    expect(JSON.parse(trace.responseBody)).toEqual({ echo: { n: 2, password: '[redacted]' }, api_key: '[redacted]' });
    expect(trace.requestHeaders).toMatchObject({ 'x-customer-token': '[redacted]', 'x-trace-me': 'yes' });
    expect(trace.isCut).toBe(false);
    expect(logs.map((l: TBody) => l.line)).toContain('handling request 2');

    const big = await predict({ n: 3, text: 'x'.repeat(1000) });
    const cut = (await call('GET', `/v1/${auth.projectId}/services/${serviceId}/traces/${big.requestId}`)).body.trace;
    expect(cut.isCut).toBe(true);
    expect(cut.requestBody.length).toBe(256);
  });

  it('traces nothing at sampling 0, and answers 404 for an unknown trace or another project\'s service', async () => {
    await call('PUT', `/v1/${auth.projectId}/services/${serviceId}/trace-settings`, { sample_rate: 0 });
    const before = (await traces()).length;
    await predict({ n: 4 });
    expect((await traces()).length).toBe(before);
    expect((await call('GET', `/v1/${auth.projectId}/services/${serviceId}/traces/0123456789abcdef0123456789abcdef`)).status).toBe(404);
    expect((await call('GET', `/v1/${auth.projectId}/services/00000000-0000-0000-0000-000000000000/traces`)).status).toBe(404);
  });
});
