/**
 * Every way to authenticate a prediction, against a real Anvil over real HTTP: requests signed by
 * Huawei's own SDK (huaweicloud-sdk-core's AKSKSigner) are accepted and refused after tampering;
 * clock skew, lock-out, APP authentication (signature, AppCode, apikey), the service token, and
 * the API Gateway error shapes.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployExample } from '../../test-support/deploy-example';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { signRequest } from './auth/sdk-signature';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as { AKSKSigner: { sign(req: unknown, creds: unknown): Record<string, string> } };
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials') as {
  BasicCredentials: new () => { withAk(ak: string): { withSk(sk: string): unknown } };
};

const IRIS = { data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } };

type TAnswer = { status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> };

/** Sends exactly these headers and bytes (fetch would add or rewrite some). */
function send(method: string, url: string, headers: Record<string, string>, body?: Buffer | string): Promise<TAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Signs with the real SDK and returns the headers it wants sent. Like the SDK's own client, JSON
 * goes in as the object (the SDK hashes `JSON.stringify(data)`, which is what is then sent).
 */
function sdkSign(ak: string, sk: string, method: string, url: string, headers: Record<string, string>, body: string, queryParams: Record<string, string | string[]> = {}) {
  const data = body ? (JSON.parse(body) as unknown) : '';
  return AKSKSigner.sign({ method, endpoint: url, queryParams, headers: { ...headers }, data }, new BasicCredentials().withAk(ak).withSk(sk));
}

const expectRefusal = (a: TAnswer, status: number, code: string, msg?: string | RegExp) => {
  expect(a.status, JSON.stringify(a.json)).toBe(status);
  expect(a.json.error_code).toBe(code);
  expect(a.json.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(a.headers['x-request-id']).toBe(a.json.request_id);
  expect(a.headers.server).toBe('Anvil');
  if (msg) expect(a.json.error_msg).toMatch(msg);
};

let anvil: TTestAnvil;
let token: string;
let projectId: string;
let userId: string;
let iris: string;
let digits: string;
let ak: string;
let sk: string;
const inferUrl = (serviceId: string, rest = '') => `${anvil.url}/v1/infers/${serviceId}${rest}`;

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token, projectId } = await getToken(anvil.url));
  const who = anvil.core.credentials.check(token, 'api');
  if (!('identity' in who)) throw new Error('token');
  userId = who.identity.userId;
  iris = await deployExample(anvil.url, { token, projectId }, 'iris');
  digits = await deployExample(anvil.url, { token, projectId }, 'digits');
  ({ accessKey: ak, secretKey: sk } = anvil.core.accessKeys.create({ id: userId, name: 'admin' }, 'tests'));
}, 120_000);
afterAll(() => stopTestAnvil(anvil));

describe('AK/SK signed by huaweicloud-sdk-core', () => {
  it('accepts a signed JSON prediction and the model answers', async () => {
    const body = JSON.stringify(IRIS);
    const headers = sdkSign(ak, sk, 'POST', inferUrl(iris), { 'Content-Type': 'application/json' }, body);
    const a = await send('POST', inferUrl(iris), headers, body);
    expect(a.status, JSON.stringify(a.json)).toBe(200);
    expect(a.json).toMatchObject({ data: { resp_data: [{ predict_result: 'Iris-setosa' }] } });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts a signed request with a query string (repeated keys, odd characters)', async () => {
    const body = JSON.stringify(IRIS);
    const query = { b: 'x y', a: ['2', '1'], 'c~': 'é' };
    const url = `${inferUrl(iris)}?b=x%20y&a=2&a=1&c~=%C3%A9`;
    const headers = sdkSign(ak, sk, 'POST', inferUrl(iris), { 'Content-Type': 'application/json' }, body, query);
    expect((await send('POST', url, headers, body)).status).toBe(200);
  });

  it('accepts a multipart upload signed with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD', async () => {
    const boundary = 'anvil-test-boundary';
    const png = fs.readFileSync(path.resolve('examples/digits/samples/digit-2.png'));
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="digit-2.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const headers = sdkSign(ak, sk, 'POST', inferUrl(digits), { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, '');
    const a = await send('POST', inferUrl(digits), headers, body);
    expect(a.status, JSON.stringify(a.json)).toBe(200);
    expect(JSON.stringify(a.json)).toContain('2');
  });

  it('refuses each request after tampering with the body, the path, the query or a signed header', async () => {
    const body = JSON.stringify(IRIS);
    const signed = sdkSign(ak, sk, 'POST', inferUrl(iris), { 'Content-Type': 'application/json', 'X-Client': 'a' }, body, { a: '1' });
    const url = `${inferUrl(iris)}?a=1`;
    expect((await send('POST', url, signed, body)).status).toBe(200);
    const fail = /^Incorrect IAM authentication information: verify aksk signature fail/;
    expectRefusal(await send('POST', url, signed, body.replace('5.1', '5.2')), 401, 'APIG.0301', fail);
    expectRefusal(await send('POST', `${inferUrl(digits)}?a=1`, signed, body), 401, 'APIG.0301', fail);
    expectRefusal(await send('POST', `${inferUrl(iris)}?a=2`, signed, body), 401, 'APIG.0301', fail);
    expectRefusal(await send('POST', url, { ...signed, 'X-Client': 'b' }, body), 401, 'APIG.0301', fail);
    // A header that was not signed may change.
    expect((await send('POST', url, { ...signed, 'X-Other': 'b' }, body)).status).toBe(200);
  });

  it('refuses a date more than 15 minutes off, with both times; accepts 14 minutes', async () => {
    const body = JSON.stringify(IRIS);
    const at = (minutes: number) =>
      signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak, sk, date: new Date(Date.now() + minutes * 60_000) });
    expect((await send('POST', inferUrl(iris), at(-14), body)).status).toBe(200);
    const late = await send('POST', inferUrl(iris), at(-16), body);
    expectRefusal(late, 401, 'APIG.0301', /signature expired, signature time:\d{8}T\d{6}Z,server time:\d{8}T\d{6}Z$/);
    expectRefusal(await send('POST', inferUrl(iris), at(16), body), 401, 'APIG.0301', /signature expired/);
  });

  it('locks a key after five failed signatures in a row; other keys keep working', async () => {
    const other = anvil.core.accessKeys.create({ id: userId, name: 'admin' }, 'lock test');
    const body = JSON.stringify(IRIS);
    const good = () => signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak: other.accessKey, sk: other.secretKey });
    const bad = () => signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak: other.accessKey, sk: 'wrong' });
    for (let i = 0; i < 4; i++) expectRefusal(await send('POST', inferUrl(iris), bad(), body), 401, 'APIG.0301', /verify aksk signature fail/);
    expect((await send('POST', inferUrl(iris), good(), body)).status).toBe(200);
    for (let i = 0; i < 5; i++) await send('POST', inferUrl(iris), bad(), body);
    expectRefusal(await send('POST', inferUrl(iris), good(), body), 401, 'APIG.0301', /locked for 5 minutes/);
    const mine = signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak, sk });
    expect((await send('POST', inferUrl(iris), mine, body)).status).toBe(200);
    anvil.core.accessKeys.remove(userId, other.accessKey);
  });

  it('a disabled key is refused from the next request, and works again when enabled', async () => {
    const body = JSON.stringify(IRIS);
    const signed = () => signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak, sk });
    anvil.core.accessKeys.setStatus(userId, ak, 'inactive');
    expectRefusal(await send('POST', inferUrl(iris), signed(), body), 401, 'APIG.0301', /disabled/);
    anvil.core.accessKeys.setStatus(userId, ak, 'active');
    expect((await send('POST', inferUrl(iris), signed(), body)).status).toBe(200);
  });

  it('an unknown access key gets the same answer as a wrong signature', async () => {
    const body = JSON.stringify(IRIS);
    const signed = signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak: 'QTWAOYTTINDUT2QVKYUC', sk });
    expectRefusal(await send('POST', inferUrl(iris), signed, body), 401, 'APIG.0301', /^Incorrect IAM authentication information: verify aksk signature fail$/);
  });
});

describe('APP authentication and the service token', () => {
  const body = JSON.stringify(IRIS);
  const json = { 'content-type': 'application/json' };

  it('AppCode, apikey and an AppKey/AppSecret signature work only while APP auth is on and the app is bound', async () => {
    const app = anvil.core.authApps.addCode(projectId, anvil.core.authApps.create(projectId, { name: 'app_tests', description: '' }).id);
    const code = app.codes[0].code;
    const byCode = () => send('POST', inferUrl(iris), { ...json, 'X-Apig-AppCode': code }, body);
    expectRefusal(await byCode(), 403, 'APIG.0304', /APP authentication is off/);
    anvil.core.serviceAccess.update(projectId, { serviceId: iris, appAuth: true });
    expectRefusal(await byCode(), 403, 'APIG.0304', /not bound/);
    anvil.core.authApps.bind(projectId, app.id, iris);
    expect((await byCode()).status).toBe(200);
    expect((await send('POST', inferUrl(iris), { ...json, 'X-Api-AppCode': code }, body)).status).toBe(200);
    expect((await send('POST', inferUrl(iris), { ...json, apikey: app.appKey }, body)).status).toBe(200);
    const signed = sdkSign(app.appKey, app.appSecret, 'POST', inferUrl(iris), { 'Content-Type': 'application/json' }, body);
    expect((await send('POST', inferUrl(iris), signed, body)).status).toBe(200);
    expectRefusal(await send('POST', inferUrl(iris), { ...signed, 'Content-Type': 'text/plain' }, body), 401, 'APIG.0303', /verify aksk signature fail/);
    expectRefusal(await send('POST', inferUrl(iris), { ...json, 'X-Apig-AppCode': code.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) }, body), 401, 'APIG.0303', /AppCode not found/);
    expectRefusal(await send('POST', inferUrl(iris), { ...json, apikey: 'f'.repeat(32) }, body), 401, 'APIG.0303', /app not found/);

    const reset = anvil.core.authApps.resetSecret(projectId, app.id);
    expectRefusal(await send('POST', inferUrl(iris), sdkSign(app.appKey, app.appSecret, 'POST', inferUrl(iris), { 'Content-Type': 'application/json' }, body), body), 401, 'APIG.0303');
    expect((await send('POST', inferUrl(iris), sdkSign(reset.appKey, reset.appSecret, 'POST', inferUrl(iris), { 'Content-Type': 'application/json' }, body), body)).status).toBe(200);

    anvil.core.authApps.unbind(projectId, app.id, iris);
    expectRefusal(await byCode(), 403, 'APIG.0304');
    anvil.core.serviceAccess.update(projectId, { serviceId: iris, appAuth: false });
  });

  it('the service token works as "Authorization: Bearer <t>" and bare, and a reset revokes the old one', async () => {
    const { serviceToken } = anvil.core.serviceAccess.get(projectId, iris);
    expect((await send('POST', inferUrl(iris), { ...json, Authorization: `Bearer ${serviceToken}` }, body)).status).toBe(200);
    expect((await send('POST', inferUrl(iris), { ...json, Authorization: serviceToken }, body)).status).toBe(200);
    // Another service's token does not open this one.
    const digitsToken = anvil.core.serviceAccess.get(projectId, digits).serviceToken;
    expectRefusal(await send('POST', inferUrl(iris), { ...json, Authorization: `Bearer ${digitsToken}` }, body), 401, 'APIG.0305', /does not match/);
    const renewed = anvil.core.serviceAccess.resetToken(projectId, iris).serviceToken;
    expect(renewed).not.toBe(serviceToken);
    expectRefusal(await send('POST', inferUrl(iris), { ...json, Authorization: `Bearer ${serviceToken}` }, body), 401, 'APIG.0305');
    expect((await send('POST', inferUrl(iris), { ...json, Authorization: `Bearer ${renewed}` }, body)).status).toBe(200);
  });

});

describe('gateway errors in API Gateway shapes', () => {
  const json = { 'content-type': 'application/json', 'x-auth-token': '' };
  it('APIG.0101 for an unknown service or API path', async () => {
    expectRefusal(await send('POST', inferUrl('0d8f4e9a-0000-4000-8000-000000000000'), { ...json, 'x-auth-token': token }, '{}'), 404, 'APIG.0101', /^The API does not exist or has not been published in the environment$/);
    expectRefusal(await send('POST', inferUrl(iris, '/nope'), { ...json, 'x-auth-token': token }, '{}'), 404, 'APIG.0101');
  });
  it('APIG.0301 for a missing, invalid or expired token; APIG.0302 for another project', async () => {
    expectRefusal(await send('POST', inferUrl(iris), { 'content-type': 'application/json' }, '{}'), 401, 'APIG.0301', /no credentials/);
    expectRefusal(await send('POST', inferUrl(iris), { ...json, 'x-auth-token': 'nope' }, '{}'), 401, 'APIG.0301', /^Incorrect IAM authentication information: decrypt token fail$/);
    // The same user, a token of another project: 0302. An AK/SK key is the user's: it opens only projects they belong to.
    const elsewhere = anvil.core.directory.createProject({ name: 'gateway-elsewhere' });
    anvil.core.directory.addMember({ userId, projectId: elsewhere.id });
    const { token: otherToken } = await getToken(anvil.url, { name: 'gateway-elsewhere' });
    expectRefusal(await send('POST', inferUrl(iris), { ...json, 'x-auth-token': otherToken }, '{}'), 403, 'APIG.0302', /another project/);
    const stranger = await anvil.core.directory.createUser({ name: 'gw-stranger', password: 'stranger-pass-1', projectIds: [elsewhere.id] });
    const key = anvil.core.accessKeys.create({ id: stranger.id, name: stranger.name }, '');
    const body = JSON.stringify(IRIS);
    const signed = signRequest({ method: 'POST', url: inferUrl(iris), headers: { 'content-type': 'application/json' }, body, ak: key.accessKey, sk: key.secretKey });
    expectRefusal(await send('POST', inferUrl(iris), signed, body), 403, 'APIG.0302', /not a member/);
  });
  it('APIG.0201 for a body over 12 MB, before the model sees it', async () => {
    expectRefusal(await send('POST', inferUrl(iris), { ...json, 'x-auth-token': token }, Buffer.alloc(12 * 1024 * 1024 + 1, 32)), 413, 'APIG.0201', /^Request entity too large$/);
  });
  it('APIG.0308 past the traffic limit', async () => {
    anvil.core.serviceAccess.update(projectId, { serviceId: iris, qpsLimit: 1 });
    const answers = await Promise.all([1, 2, 3].map(() => send('POST', inferUrl(iris), { ...json, 'x-auth-token': token }, JSON.stringify(IRIS))));
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expectRefusal(throttled[0], 429, 'APIG.0308', /limited to 1 requests per second/);
    anvil.core.serviceAccess.update(projectId, { serviceId: iris, qpsLimit: null });
    expect((await send('POST', inferUrl(iris), { ...json, 'x-auth-token': token }, JSON.stringify(IRIS))).status).toBe(200);
  });
});
