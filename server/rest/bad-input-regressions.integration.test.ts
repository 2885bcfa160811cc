/**
 * Regressions of issue 5 §1: a malformed percent-escape or cookie answers 400/401 instead of taking
 * Anvil down, and a handler that throws answers 500 with a request id (in the body and the log)
 * without hanging the socket or ending the process.
 */
import http from 'node:http';
import { deployExample } from '../test-support/deploy-example';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let token: string;
let projectId: string;

type TRaw = { status: number; body: string; json: Record<string, unknown> | undefined };

/** One request with the path sent byte for byte (fetch would normalise it); fails after 5 s instead of hanging. */
function raw(method: string, path: string, headers: http.OutgoingHttpHeaders = {}, body?: string): Promise<TRaw> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(anvil.url);
    const req = http.request({ host: hostname, port, method, path, headers, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} hung for 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const alive = async () => (await raw('GET', '/v1/openapi.json')).status === 200 || (await raw('GET', `/v1/${projectId}/models`, { 'x-auth-token': token })).status === 200;

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
});
afterAll(() => stopTestAnvil(anvil));

describe('malformed percent-encoding answers 400 {error_code, error_msg}', () => {
  const paths = (p: string) => [
    ['POST', '/v1/infers/%E0'],
    ['POST', '/v1/infers/%E0/predict'],
    ['GET', `/v1/${p}/models/%E0`],
    ['GET', `/v1/%E0/models`],
    ['GET', `/v1/${p}/services/%ZZ/events`],
    ['GET', `/v1/${p}/services/x/logs?keyword=%E0`],
    ['PUT', '/obs/%E0'],
    ['GET', '/obs/models/%E0%80'],
    ['GET', '/api/obs/download?bucket=%E0&key=a'],
  ];

  it('on the inference path, management API and object storage, and Anvil keeps serving', async () => {
    for (const [method, path] of paths(projectId)) {
      const res = await raw(method, path, { 'x-auth-token': token });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.json).toMatchObject({ error_code: expect.stringMatching(/^ModelArts\./), error_msg: expect.stringContaining('percent-encoding') });
    }
    expect(await alive()).toBe(true);
  });
});

describe('a malformed session cookie is no session', () => {
  it('answers 401 on the gateway, tRPC and the console download instead of throwing', { timeout: 60_000 }, async () => {
    const cookie = { cookie: 'anvil_session=%E0; other=%' };
    // An unknown service is 404 APIG.0101 before any credential is looked at (as API Gateway does); past that, the cookie is no session.
    const unknown = await raw('POST', '/v1/infers/00000000-0000-0000-0000-000000000000', { ...cookie, 'x-anvil-console': '1' });
    expect(unknown.json).toMatchObject({ error_code: 'APIG.0101' });
    const serviceId = await deployExample(anvil.url, { token, projectId }, 'iris', 'cookie-iris');
    const refused = await raw('POST', `/v1/infers/${serviceId}`, { ...cookie, 'x-anvil-console': '1' });
    expect(refused).toMatchObject({ status: 401, json: { error_code: 'APIG.0301' } });
    expect((await raw('GET', '/api/trpc/auth.me', cookie)).status).toBe(401);
    expect((await raw('GET', '/api/obs/download?bucket=models&key=a', cookie)).status).toBe(401);
    expect(await alive()).toBe(true);
  });
});

describe('a handler that throws', () => {
  it('answers 500 with a request id that the server log names, for that request only', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // A real database failure: writes are refused while reads keep working.
    anvil.core.db.pragma('query_only = ON');
    try {
      const body = JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'integration-pass', domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } });
      const res = await raw('POST', '/v3/auth/tokens', { 'content-type': 'application/json' }, body);
      expect(res.status).toBe(500);
      expect(res.json).toMatchObject({ error_code: 'ModelArts.0111', request_id: expect.stringMatching(/^[\w-]{8,}$/) });
      expect(res.body).not.toContain('SqliteError');
      const id = String(res.json!.request_id);
      expect(logged.mock.calls.some((args) => args.map(String).join(' ').includes(id))).toBe(true);
      // Reads still work: only that request failed.
      expect((await raw('GET', `/v1/${projectId}/models`, { 'x-auth-token': token })).status).toBe(200);
    } finally {
      anvil.core.db.pragma('query_only = OFF');
      logged.mockRestore();
    }
  });

  it('in a tRPC procedure: 500 with a request id in the error data and the log', async () => {
    const login = await fetch(`${anvil.url}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'admin', password: 'integration-pass' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    anvil.core.db.pragma('query_only = ON');
    try {
      const res = await raw('POST', '/api/trpc/admin.createProject', { cookie, 'x-anvil-console': '1', 'content-type': 'application/json' }, JSON.stringify({ name: 'second' }));
      expect(res.status).toBe(500);
      const error = (res.json as { error: { message: string; data: { code: string; request_id?: string } } }).error;
      expect(error.data).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', request_id: expect.stringMatching(/^[\w-]{8,}$/) });
      expect(error.message).toContain(error.data.request_id);
      expect(res.body).not.toContain('SqliteError');
      expect(logged.mock.calls.some((args) => args.map(String).join(' ').includes(error.data.request_id!))).toBe(true);
    } finally {
      anvil.core.db.pragma('query_only = OFF');
      logged.mockRestore();
    }
  });

  it('synchronously, outside any adapter: 500 with a request id, and the process keeps serving', async () => {
    // Fault injection at the top of the request path (the gateway is called straight from the server).
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const original = anvil.core.gateway.handle;
    anvil.core.gateway.handle = () => {
      throw new TypeError('injected fault');
    };
    try {
      const res = await raw('POST', '/v1/infers/anything', { 'x-auth-token': token }, '{}');
      expect(res.status).toBe(500);
      expect(res.json).toMatchObject({ error_code: 'ModelArts.0111', request_id: expect.any(String) });
      expect(res.body).not.toContain('injected fault');
      expect(logged.mock.calls.some((args) => args.map(String).join(' ').includes(String(res.json!.request_id)))).toBe(true);
    } finally {
      anvil.core.gateway.handle = original;
      logged.mockRestore();
    }
    expect(await alive()).toBe(true);
  });

  it('after the answer started: the connection is cut, never left hanging', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const original = anvil.core.gateway.handle;
    anvil.core.gateway.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      throw new TypeError('injected fault mid-answer');
    };
    try {
      await expect(raw('POST', '/v1/infers/anything', { 'x-auth-token': token }, '{}')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    } finally {
      anvil.core.gateway.handle = original;
      logged.mockRestore();
    }
    expect(await alive()).toBe(true);
  });
});
