/**
 * WebSocket and SSE through the gateway to a real container: the example custom image (a Python
 * server with a hand-written WebSocket and an event stream) deployed on the Docker pool, once with
 * "upgrade to WebSocket" and once as a plain service. The WebSocket is opened with every kind of
 * credential by the `ws` client library. Needs a Docker Engine, the example image and
 * docker-registry: skipped without them, failed under CI=true.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';
import { exampleImageSuiteProblem, pushExampleImage } from '../../test-support/docker-suite';
import { signRequest } from './auth/sdk-signature';

const problem = await exampleImageSuiteProblem();

type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let removePushed: (() => Promise<void>) | undefined;
let wsService = '';
let sseService = '';

const call = async (p: string, method = 'GET', body?: unknown) => {
  const res = await fetch(`${anvil.url}${p}`, {
    method,
    headers: { 'x-auth-token': auth.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as TBody };
};

async function deploy(name: string, modelId: string, extra: TBody): Promise<string> {
  const created = await call(`/v1/${auth.projectId}/services`, 'POST', { service_name: name, pool_name: 'docker', schedule: [], config: [{ model_id: modelId, specification: 'cpu.1u2g' }], ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.service_id as string;
  await waitFor(async () => (await call(`/v1/${auth.projectId}/services/${id}`)).body.status === 'running', 90_000, `${name} running`);
  return id;
}

describe.skipIf(!!problem)('WebSocket and SSE through the gateway', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil();
    auth = await getToken(anvil.url);
    ({ cleanup: removePushed } = await pushExampleImage(anvil.url, auth.token, auth.projectId, 'streams'));
    // The event stream is an API of the application; a WebSocket service reaches the image's own paths (/ws) as they are.
    const apis = [{ url: '/sse', method: 'GET', request: { 'Content-type': 'application/json' }, response: { 'Content-type': 'application/json' } }];
    const model = await call(`/v1/${auth.projectId}/models/image`, 'POST', { model_name: 'streams', image: 'streams:1.0', port: 8080, apis });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, 'image model');
    [wsService, sseService] = await Promise.all([
      deploy('ws-svc', model.body.model_id, { upgrade_to_websocket: true, app_auth: true }),
      deploy('sse-svc', model.body.model_id, {}),
    ]);
  }, 240_000);

  afterAll(async () => {
    await stopTestAnvil(anvil);
    await removePushed?.();
  });

  const wsUrl = (id: string, rest = '/ws') => `${anvil.url.replace('http', 'ws')}/v1/infers/${id}${rest}`;

  /** Opens, sends "hello" and "你好", closes with 4002; returns what came back. */
  const roundTrip = (url: string, headers: Record<string, string>) =>
    new Promise<{ echoes: string[]; code: number; reason: string }>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const echoes: string[] = [];
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (data) => {
        echoes.push(data.toString());
        if (echoes.length === 1) ws.send('你好');
        else ws.close(4002, 'bye');
      });
      ws.on('close', (code, reason) => resolve({ echoes, code, reason: reason.toString() }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
      });
      ws.on('error', reject);
    });

  /** The refusal of an upgrade: status and error body. */
  const refusal = (url: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: TBody }>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as TBody }));
      });
    });

  it('echoes frames both ways with a token, and the close code comes back', async () => {
    expect(await roundTrip(wsUrl(wsService), { 'X-Auth-Token': auth.token })).toEqual({ echoes: ['echo: hello', 'echo: 你好'], code: 4002, reason: '' });
  });

  it('opens with an AK/SK-signed upgrade, an AppCode and the service token', async () => {
    const who = anvil.core.credentials.check(auth.token, 'api');
    if (!('identity' in who)) throw new Error('token');
    const key = anvil.core.accessKeys.create({ id: who.identity.userId, name: who.identity.userName }, 'ws');
    const signed = signRequest({ method: 'GET', url: wsUrl(wsService).replace('ws', 'http'), headers: {}, ak: key.accessKey, sk: key.secretKey });
    const { host: _host, ...signedHeaders } = signed;
    expect((await roundTrip(wsUrl(wsService), signedHeaders)).echoes).toHaveLength(2);

    const app = anvil.core.authApps.addCode(auth.projectId, anvil.core.authApps.create(auth.projectId, { name: 'app_ws', description: '' }).id);
    anvil.core.authApps.bind(auth.projectId, app.id, wsService);
    expect((await roundTrip(wsUrl(wsService), { 'X-Apig-AppCode': app.codes[0].code })).echoes).toHaveLength(2);

    const { serviceToken } = anvil.core.serviceAccess.get(auth.projectId, wsService);
    expect((await roundTrip(wsUrl(wsService), { Authorization: `Bearer ${serviceToken}` })).echoes).toHaveLength(2);
  });

  it('refuses an upgrade without credentials (401 APIG.0301), plain HTTP to a WebSocket service and an upgrade to another (404 APIG.0101)', async () => {
    const none = await refusal(wsUrl(wsService), {});
    expect(none).toMatchObject({ status: 401, body: { error_code: 'APIG.0301' } });
    expect((await refusal(wsUrl(sseService), { 'X-Auth-Token': auth.token })).body).toMatchObject({ error_code: 'APIG.0101', error_msg: expect.stringContaining('upgrade to WebSocket') });
    const plain = await call(`/v1/infers/${wsService}/`, 'POST', {});
    expect(plain).toMatchObject({ status: 404, body: { error_code: 'APIG.0101' } });
  });

  it('streams server-sent events from the container one by one', async () => {
    const arrivals: number[] = [];
    const { type, text } = await new Promise<{ type: string; text: string }>((resolve, reject) => {
      let text = '';
      http
        .get(`${anvil.url}/v1/infers/${sseService}/sse?count=4`, { headers: { 'x-auth-token': auth.token, accept: 'text/event-stream' } }, (res) => {
          res.on('data', (c: Buffer) => {
            text += c;
            for (const _ of c.toString().matchAll(/data: /g)) arrivals.push(performance.now());
          });
          res.on('end', () => resolve({ type: String(res.headers['content-type']), text }));
        })
        .on('error', reject);
    });
    expect(type, text).toMatch(/^text\/event-stream/);
    expect(text.match(/data: /g)).toHaveLength(4);
    // The image writes an event every 50 ms: they arrive spread out, not in one piece at the end.
    expect(arrivals[3] - arrivals[0]).toBeGreaterThan(120);
  });

  it('gives the ready instances\' addresses for VPC direct calls, which bypass the gateway', async () => {
    const found = await call(`/v1/${auth.projectId}/services/${sseService}/predict/endpoints?type=host_endpoints`);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ service_id: sseService, endpoints: [{ schema: 'http', ip: expect.any(String), port: expect.any(Number), instance_id: expect.any(String) }] });
    const [e] = found.body.endpoints as { ip: string; port: number }[];
    const direct = await fetch(`http://${e.ip}:${e.port}/health`);
    expect(await direct.json()).toEqual({ status: 'ok' });
  });

  it('a WebSocket service takes no traffic limit, at deploy or later', async () => {
    const refused = await call(`/v1/${auth.projectId}/services`, 'POST', {
      service_name: 'ws-qps', pool_name: 'docker', upgrade_to_websocket: true, qps_limit: 10, config: [{ model_id: 'x', specification: 'cpu.1u2g' }],
    });
    expect(refused).toMatchObject({ status: 400, body: { field: 'qps_limit' } });
    expect(() => anvil.core.serviceAccess.update(auth.projectId, { serviceId: wsService, qpsLimit: 10 })).toThrow(/no traffic limit/);
    // Over REST too: the address is ws://, a limit is refused on its field, APP authentication can still change.
    const access = `/v1/${auth.projectId}/services/${wsService}/access`;
    expect((await call(access)).body).toMatchObject({ access_address: `${anvil.url.replace(/^http/, 'ws')}/v1/infers/${wsService}`, websocket: true });
    const refusedLater = await call(access, 'PUT', { qps_limit: 10 });
    expect(refusedLater).toMatchObject({ status: 400, body: { field: 'qps_limit', error_msg: expect.stringContaining('no traffic limit') } });
    expect((await call(access, 'PUT', { app_auth: true })).body).toMatchObject({ app_auth: true, qps_limit: null });
  });
});
