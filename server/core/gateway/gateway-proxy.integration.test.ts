/**
 * The gateway's proxy behaviour against instances whose timing the test controls: a real Anvil
 * routes a real running service, whose ready endpoints are swapped for small node:http servers
 * (one fast, one slow, one streaming). Covers what models never see, least-outstanding balancing,
 * SSE timing against direct, the whole-answer time limit, and the QPS limit over 10 s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployExample } from '../../test-support/deploy-example';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';

type TUpstream = { server: http.Server; port: number; hits: number };

async function upstream(handler: http.RequestListener): Promise<TUpstream> {
  const u: TUpstream = { server: http.createServer((req, res) => { u.hits++; handler(req, res); }), port: 0, hits: 0 };
  await new Promise<void>((resolve) => u.server.listen(0, '127.0.0.1', resolve));
  u.port = (u.server.address() as AddressInfo).port;
  return u;
}

const echo = () =>
  upstream((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ headers: req.headers, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json', server: 'EchoServer/1.0' });
      res.end(body);
    });
  });

const sleeper = (ms: number) =>
  upstream((req, res) => {
    req.resume();
    setTimeout(() => res.end('{"slow":true}'), ms);
  });

/** SSE: `events` events, `gapMs` apart, then the end. */
const sse = (events: number, gapMs: number) =>
  upstream((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8', 'cache-control': 'no-cache' });
    let i = 0;
    const tick = () => {
      res.write(`data: {"i": ${i}}\n\n`);
      if (++i < events) setTimeout(tick, gapMs);
      else res.end();
    };
    tick();
  });

let anvil: TTestAnvil;
let token: string;
let serviceId: string;
const servers: TUpstream[] = [];
let realEndpoints: typeof anvil.core.reconciler.endpoints;

/** Routes the service to these upstreams instead of its real instances. */
function routeTo(...ups: TUpstream[]) {
  const versionId = realEndpoints(serviceId)[0]?.versionId ?? serviceId;
  anvil.core.reconciler.endpoints = () => ups.map((u, i) => ({ instanceId: `fake-${u.port}-${i}`, versionId, host: '127.0.0.1', port: u.port }));
}

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { predictionTimeoutMs: 800 });
  let projectId: string;
  ({ token, projectId } = await getToken(anvil.url));
  serviceId = await deployExample(anvil.url, { token, projectId }, 'iris');
  realEndpoints = anvil.core.reconciler.endpoints.bind(anvil.core.reconciler);
}, 90_000);
afterAll(async () => {
  if (anvil) anvil.core.reconciler.endpoints = realEndpoints;
  for (const u of servers) u.server.closeAllConnections();
  await Promise.all(servers.map((u) => new Promise((r) => u.server.close(r))));
  await stopTestAnvil(anvil);
});

const call = (init: { headers?: Record<string, string>; body?: string; method?: string } = {}) =>
  fetch(`${anvil.url}/v1/infers/${serviceId}`, {
    method: init.method ?? 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json', ...init.headers },
    body: init.method === 'GET' ? undefined : (init.body ?? '{}'),
  });

describe('forwarding', () => {
  it('strips every credential, adds X-Request-Id, and answers as Anvil', async () => {
    const u = await echo();
    servers.push(u);
    routeTo(u);
    const { serviceToken } = anvil.core.serviceAccess.get(anvil.core.reconciler.service(serviceId)!.project_id, serviceId);
    const res = await fetch(`${anvil.url}/v1/infers/${serviceId}?q=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json', cookie: 'anvil_session=x', apikey: 'k', 'x-apig-appcode': 'c', 'x-sdk-date': '20200101T000000Z', 'x-custom': 'kept' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('server')).toBe('Anvil');
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    const seen = (await res.json()) as { headers: Record<string, string>; url: string };
    for (const h of ['authorization', 'x-auth-token', 'cookie', 'apikey', 'x-apig-appcode', 'x-sdk-date']) expect(seen.headers).not.toHaveProperty(h);
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['x-request-id']).toBe(requestId);
    expect(seen.url).toBe('/?q=1');
  });

  it('sends a slow instance fewer requests than a fast one (least outstanding, not round-robin)', async () => {
    const fast = await upstream((req, res) => {
      req.resume();
      setTimeout(() => res.end('{}'), 2);
    });
    const slow = await sleeper(100);
    servers.push(fast, slow);
    routeTo(slow, fast);
    const total = 200;
    let next = 0;
    const worker = async () => {
      while (next++ < total) expect((await call()).status).toBe(200);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // Round-robin would give the slow one half; least outstanding gives it a small share.
    expect(slow.hits + fast.hits).toBe(total);
    expect(slow.hits / total).toBeLessThan(0.2);
  });

  it('streams SSE events as the instance writes them: 500 ± 50 ms apart, the first ≤ 5 ms later than direct', async () => {
    const u = await sse(2, 500);
    servers.push(u);
    routeTo(u);
    const firstAndGap = (url: string, headers: Record<string, string>) =>
      new Promise<{ first: number; gap: number; type: string }>((resolve, reject) => {
        const started = performance.now();
        const arrivals: number[] = [];
        http
          .get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
            res.on('data', (chunk: Buffer) => {
              for (const _ of chunk.toString().matchAll(/data: /g)) arrivals.push(performance.now());
            });
            res.on('end', () => resolve({ first: arrivals[0] - started, gap: arrivals[1] - arrivals[0], type: String(res.headers['content-type']) }));
          })
          .on('error', reject);
      });
    const direct: number[] = [];
    const gateway: number[] = [];
    for (let i = 0; i < 3; i++) {
      direct.push((await firstAndGap(`http://127.0.0.1:${u.port}/`, {})).first);
      const via = await firstAndGap(`${anvil.url}/v1/infers/${serviceId}`, { 'x-auth-token': token });
      expect(via.type).toBe('text/event-stream;charset=UTF-8');
      expect(via.gap).toBeGreaterThan(450);
      expect(via.gap).toBeLessThan(550);
      gateway.push(via.first);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    expect(median(gateway)).toBeLessThanOrEqual(median(direct) + 5);
  });

  it('an SSE stream may outlast the prediction limit; a plain answer may not (the limit covers the whole body)', async () => {
    const stream = await sse(5, 300);
    servers.push(stream);
    routeTo(stream);
    const streamed = await (await call({ method: 'GET', headers: { accept: 'text/event-stream' } })).text();
    expect(streamed.match(/data: /g)).toHaveLength(5);

    const dribble = await upstream((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"part":');
      const timer = setTimeout(() => res.end('1}'), 3000);
      res.on('close', () => clearTimeout(timer));
    });
    servers.push(dribble);
    routeTo(dribble);
    const started = Date.now();
    const res = await call();
    await expect(res.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a limit of 50 requests per second admits 500 ± 5% over 10 s', async () => {
    const u = await upstream((req, res) => {
      req.resume();
      res.end('{}');
    });
    servers.push(u);
    routeTo(u);
    const projectId = anvil.core.reconciler.service(serviceId)!.project_id;
    anvil.core.serviceAccess.update(projectId, { serviceId, qpsLimit: 50 });
    const until = performance.now() + 10_000;
    let admitted = 0;
    let throttled = 0;
    const worker = async () => {
      while (performance.now() < until) {
        const res = await call();
        await res.arrayBuffer();
        if (res.status === 200) admitted++;
        else if (res.status === 429) throttled++;
        else throw new Error(`unexpected ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    anvil.core.serviceAccess.update(projectId, { serviceId, qpsLimit: null });
    expect(throttled).toBeGreaterThan(admitted);
    expect(admitted).toBeGreaterThanOrEqual(475);
    expect(admitted).toBeLessThanOrEqual(525);
  }, 20_000);
});
