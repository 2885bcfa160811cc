/**
 * Bad input over real HTTP against a running Anvil (issue 5 §1): every management route (taken from
 * the router's own OpenAPI registry, so a new route is covered the day it lands), IAM tokens, the
 * inference gateway and HTTP that is not even valid. Every case must get a 4xx with an error code,
 * never a 5xx or a hang; afterwards a prediction still succeeds. Bodies are property-based
 * (fast-check, fixed seed) from the routes' zod schemas. Object storage and the console's doors
 * (tRPC, socket.io) have their own files.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZRestTokenRequestSchema } from '../contracts/rest-auth';
import { deployIris, expectRefused, MALFORMED_ESCAPES, predictIris, rawRequest, tally, type TRawRequest } from '../test-support/bad-input-kit';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';
import { brokenBodyOf, HOSTILE_STRINGS } from '../test-support/zod-arbitrary';
import { createManagementApp } from './management-router';

const SEED = 20_240_501;
const FAKE_ID = '00000000-0000-4000-8000-000000000000';

let anvil: TTestAnvil;
let token: string;
let projectId: string;
let serviceId: string;

type TRoute = { method: string; path: string; body?: z.ZodType };

/** Every route the management router registers, with the zod schema of its JSON body. */
function managementRoutes(): TRoute[] {
  const app = createManagementApp({ core: anvil.core, identify: () => { throw new Error('not called'); }, publicUrl: () => '' });
  return app.openAPIRegistry.definitions.flatMap((d) => {
    if (d.type !== 'route') return [];
    const media = d.route.request?.body?.content['application/json'];
    const body = media && 'schema' in media ? (media.schema as z.ZodType) : undefined;
    return [{ method: d.route.method.toUpperCase(), path: d.route.path, body }];
  });
}

const send = (r: TRawRequest) => rawRequest(anvil.url, { ...r, headers: { 'x-auth-token': token, ...r.headers } });
const refused = async (r: TRawRequest, what = `${r.method ?? 'GET'} ${r.path.slice(0, 100)}`) => expectRefused(await send(r), what);
/** The route's path with its parameters filled: `value` for parameter `at`, our project and a made-up id elsewhere. */
const fill = (path: string, at?: string, value?: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => (name === at ? value! : name === 'project_id' ? projectId : FAKE_ID));
const json = (body: unknown, headers: Record<string, string> = {}) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
  serviceId = await deployIris(anvil.url, token, projectId);
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('management routes', () => {
  it('refuse malformed, over-long and hostile path parameters and queries', async () => {
    const routes = managementRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const { method, path } of routes) {
      for (const param of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        for (const escape of MALFORMED_ESCAPES) await refused({ method, path: fill(path, param, `a${escape}b`) });
        await refused({ method, path: fill(path, param, 'a'.repeat(8_000)) });
        for (const hostile of ['\u0000', '😀', '../../etc/passwd', '..\\..\\x', '/etc/passwd', '%00']) {
          await refused({ method, path: fill(path, param, encodeURIComponent(hostile)) });
        }
      }
      await refused({ method, path: `${fill(path)}?keyword=%E0&minutes=%` });
      await refused({ method: 'PATCH', path: `${fill(path)}/..%2F..%2Fv3` });
    }
  });

  it('refuse query values the route schema does not allow', async () => {
    const logs = `/v1/${projectId}/services/${serviceId}/logs`;
    for (const query of ['minutes=7', 'minutes=5%00', 'minutes=-1', 'minutes=1e999', `keyword=${'a'.repeat(300)}`, 'minutes=5&minutes=30']) {
      await refused({ path: `${logs}?${query}` });
    }
  });

  it('refuse JSON bodies that are malformed, not objects, too large or of the wrong content type', async () => {
    for (const { method, path, body } of managementRoutes().filter((r) => r.body)) {
      const url = fill(path);
      const nested = '['.repeat(200_000);
      for (const text of ['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '\u0000', '[]', '[{}]', 'null', '42', '"text"', nested, `{"a":${nested}`]) {
        await refused({ method, path: url, body: text, headers: { 'content-type': 'application/json' } });
      }
      const valid = JSON.stringify({});
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16']) {
        await refused({ method, path: url, body: type === 'application/json; charset=utf-16' ? Buffer.from(valid, 'utf16le') : valid, headers: { 'content-type': type } });
      }
      await refused({ method, path: url, body: valid });
      await refused({ method, path: url, headers: { 'content-type': 'application/json' } });
      await refused({ method, path: url, ...json({ pad: 'x'.repeat(2 * 1024 * 1024) }) });
      await refused({ method, path: url, ...json({ pad: 'x'.repeat(1200 * 1024) }), isChunked: true });
      await fc.assert(
        fc.asyncProperty(brokenBodyOf(body!), async ({ body: broken, kind }) => {
          expectRefused(await send({ method, path: url, ...json(broken) }), `${method} ${path} ${kind} ${JSON.stringify(broken).slice(0, 200)}`);
        }),
        { seed: SEED, numRuns: 40 },
      );
    }
  });
});

describe('IAM tokens (POST /v3/auth/tokens)', () => {
  // Made-up user names only: failed logins of the administrator would lock them out.
  const login = (body: unknown, headers: Record<string, string> = {}) => rawRequest(anvil.url, { method: 'POST', path: '/v3/auth/tokens', ...json(body, headers) });

  it('refuse broken token requests, property-based from the request schema', async () => {
    for (const text of ['{', '[]', 'null', '\u0000', '{"auth":' + '['.repeat(100_000)]) {
      expectRefused(await rawRequest(anvil.url, { method: 'POST', path: '/v3/auth/tokens', body: text, headers: { 'content-type': 'application/json' } }), text.slice(0, 20));
    }
    expectRefused(await rawRequest(anvil.url, { method: 'POST', path: '/v3/auth/tokens', body: 'x'.repeat(2 * 1024 * 1024) }), 'over-size');
    expectRefused(await rawRequest(anvil.url, { method: 'POST', path: '/v3/auth/tokens?x=%E0', body: '{}' }), 'malformed query');
    await fc.assert(
      fc.asyncProperty(brokenBodyOf(ZRestTokenRequestSchema), async ({ body, kind }) => {
        expectRefused(await login(body), `token ${kind} ${JSON.stringify(body).slice(0, 200)}`);
      }),
      { seed: SEED, numRuns: 60 },
    );
    for (const name of HOSTILE_STRINGS) {
      const body = { auth: { identity: { methods: ['password'], password: { user: { name, password: name, domain: { name } } } }, scope: { project: { name } } } };
      expectRefused(await login(body), `token with user ${JSON.stringify(name.slice(0, 30))}`);
    }
  });
});

describe('inference gateway (/v1/infers)', () => {
  const infer = (r: Omit<TRawRequest, 'method'> & { method?: string }) => send({ method: 'POST', ...r });

  it('refuses malformed addresses, credentials, content types and bodies before the model sees them', async () => {
    for (const escape of MALFORMED_ESCAPES) {
      expectRefused(await infer({ path: `/v1/infers/${escape}`, ...json({}) }), `infer ${escape}`);
      expectRefused(await infer({ path: `/v1/infers/${serviceId}${escape}`, ...json({}) }), `infer id${escape}`);
    }
    const cases: [string, TRawRequest][] = [
      ['long id', { path: `/v1/infers/${'a'.repeat(8_000)}`, ...json({}) }],
      ['traversal in the API path', { path: `/v1/infers/${serviceId}/../../v1/${projectId}/models`, ...json({}) }],
      ['encoded traversal', { path: `/v1/infers/${serviceId}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`, ...json({}) }],
      ['backslashes', { path: `/v1/infers/${serviceId}/..\\..\\x`, ...json({}) }],
      ['NUL in the API path', { path: `/v1/infers/${serviceId}/%00`, ...json({}) }],
      ['non-BMP id', { path: `/v1/infers/${encodeURIComponent('😀')}`, ...json({}) }],
      ['wrong content type', { path: `/v1/infers/${serviceId}`, body: '<xml/>', headers: { 'content-type': 'application/xml' } }],
      ['multipart without boundary', { path: `/v1/infers/${serviceId}`, body: '--x--', headers: { 'content-type': 'multipart/form-data' } }],
      ['invalid JSON', { path: `/v1/infers/${serviceId}`, body: '{"data":', headers: { 'content-type': 'application/json' } }],
      ['NUL body', { path: `/v1/infers/${serviceId}`, body: '\u0000', headers: { 'content-type': 'application/json' } }],
      ['over 12 MB, chunked', { path: `/v1/infers/${serviceId}`, body: 'x'.repeat(12 * 1024 * 1024 + 10), headers: { 'content-type': 'application/json' }, isChunked: true }],
      ['over 12 MB, declared', { path: `/v1/infers/${serviceId}`, body: 'x'.repeat(12 * 1024 * 1024 + 10), headers: { 'content-type': 'application/json' } }],
    ];
    for (const [what, r] of cases) expectRefused(await infer(r), what);
    for (const [what, headers] of [
      ['no token', { 'x-auth-token': '' }],
      ['NUL-free garbage token', { 'x-auth-token': 'x'.repeat(8_000) }],
      ['non-ASCII token', { 'x-auth-token': 'tök€n' }],
      ['malformed session cookie', { 'x-auth-token': '', cookie: 'anvil_session=%E0%; a=%', 'x-anvil-console': '1' }],
    ] as const) {
      expectRefused(await infer({ path: `/v1/infers/${serviceId}`, ...json({ data: {} }), headers: { ...headers, 'content-type': 'application/json' } }), what);
    }
  });
});

describe('HTTP that is not valid, or too large', () => {
  const head = (text: string) => rawRequest(anvil.url, { path: '', rawHead: text });

  it('answers 400/431 in the JSON error shape and closes the connection', async () => {
    const host = `host: ${new URL(anvil.url).host}\r\n`;
    const cases: [string, string][] = [
      ['garbage request line', 'GARBAGE\r\n\r\n'],
      ['NUL in the request line', `GET /v1/\u0000 HTTP/1.1\r\n${host}\r\n`],
      ['space in the path', `GET /v1/a b HTTP/1.1\r\n${host}\r\n`],
      ['NUL in a header', `GET /v1/openapi.json HTTP/1.1\r\n${host}x-a: b\u0000c\r\n\r\n`],
      ['header name with a space', `GET /v1/openapi.json HTTP/1.1\r\n${host}bad header: 1\r\n\r\n`],
      ['headers over 16 KB', `GET /v1/openapi.json HTTP/1.1\r\n${host}x-long: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['path over 16 KB', `GET /v1/${'a'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n`],
      ['Content-Length and chunked together', `POST /v3/auth/tokens HTTP/1.1\r\n${host}content-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`],
      ['two Content-Lengths', `POST /v3/auth/tokens HTTP/1.1\r\n${host}content-length: 1\r\ncontent-length: 2\r\n\r\nab`],
      ['negative Content-Length', `POST /v3/auth/tokens HTTP/1.1\r\n${host}content-length: -1\r\n\r\n`],
      ['bad chunk size', `POST /v3/auth/tokens HTTP/1.1\r\n${host}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
      ['no Host header', 'GET /v1/openapi.json HTTP/1.1\r\n\r\n'],
      ['invalid Host header', `GET /v1/${'x'}/models HTTP/1.1\r\nhost: a b/c\r\nx-auth-token: t\r\n\r\n`],
      ['absolute-form target', `GET http://evil.example/v1/openapi.json/../x HTTP/1.1\r\n${host}\r\n`],
      ['unknown HTTP version', `GET /v1/openapi.json HTTP/9.9\r\n${host}\r\n`],
    ];
    for (const [what, text] of cases) expectRefused(await head(text), what);
  });
});

describe('after the bad input', () => {
  it('Anvil is alive and a prediction still succeeds', async () => {
    const prediction = await predictIris(anvil.url, token, serviceId);
    expect(prediction).toMatchObject({ status: 200, body: { data: { resp_data: [{ predict_result: 'Iris-virginica' }] } } });
    expect((await fetch(`${anvil.url}/v1/openapi.json`)).status).toBe(200);
    console.log(`bad-input cases (REST, gateway, HTTP): ${tally.cases}`);
    expect(tally.cases).toBeGreaterThanOrEqual(900);
  });
});
