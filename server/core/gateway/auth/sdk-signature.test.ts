import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { stringify } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import {
  canonicalRequest, parseSdkAuthorization, payloadHashSource, sha256Hex, signRequest, signString, verifySdkSignature,
  type TSdkAuthorization,
} from './sdk-signature';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
const { HcClient } = require('@huaweicloud/huaweicloud-sdk-core/HcClient');
const { DefaultHttpClient } = require('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient');

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const DATE = '20191115T033655Z';
const DATE_MS = Date.UTC(2019, 10, 15, 3, 36, 55);
const MIN = 60_000;

type TReceived = { method: string; rawTarget: string; headers: IncomingHttpHeaders; body: string };
type TSdkRequest = { method: string; endpoint: string; queryParams?: Record<string, string | string[]>; headers: Record<string, string>; data?: unknown };

/** What a Node server would see for headers sent as `sent` (names lower-cased, values trimmed). */
const received = (sent: Record<string, string>): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(sent).map(([name, value]) => [name.toLowerCase(), String(value).trim()]));

/** Signs with the real SDK and returns the request as the SDK's transport (axios + querystring) delivers it. */
function signWithSdk(req: TSdkRequest): TReceived {
  // Serialised first: AKSKSigner sorts array values in place, and the wire order should stay unsorted.
  const query = stringify(req.queryParams ?? {});
  const headers: Record<string, string> = AKSKSigner.sign({ ...req }, new BasicCredentials().withAk(AK).withSk(SK));
  const rawTarget = new URL(req.endpoint).pathname + (query ? `?${query}` : '');
  // The SDK hashes JSON.stringify(data) and axios sends exactly those bytes for an object body.
  return { method: req.method, rawTarget, headers: received(headers), body: req.data === undefined ? '' : JSON.stringify(req.data) };
}

function verify(req: TReceived, nowMs = DATE_MS, secret = SK) {
  const auth = parseSdkAuthorization(req.headers.authorization as string) as TSdkAuthorization;
  const source = payloadHashSource(req.headers);
  const payloadHash = source === 'body' ? sha256Hex(req.body) : source.hash;
  return verifySdkSignature({ method: req.method, rawTarget: req.rawTarget, headers: req.headers, payloadHash, auth, secret, nowMs });
}

const ENDPOINT = 'https://gw.example.com:8443';
const jsonPost: TSdkRequest = {
  method: 'POST',
  endpoint: `${ENDPOINT}/v1/infers/abc/chat/completions`,
  queryParams: { stream: 'false' },
  headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': DATE },
  data: { model: 'qwen', messages: [{ role: 'user', content: 'héllo "world" 😀' }] },
};
const sdkCases: Record<string, TSdkRequest> = {
  'a JSON POST': jsonPost,
  'a GET with repeated keys, odd characters and unicode in the query': {
    method: 'GET',
    endpoint: `${ENDPOINT}/v1/infers/abc/models`,
    queryParams: { b: ['2', '10', 'z z'], a: "x y+é!*'()~/?&=;:@$,", 'k k': '😀', empty: '', '': 'nokey' },
    headers: { 'X-Sdk-Date': DATE, 'X-Project-Id': 'p1' },
  },
  'a path with encoded and odd characters': {
    method: 'DELETE',
    endpoint: `${ENDPOINT}/v1/infers/abc/x%20y/a%2Fb/café/it's/a|b^c/{x}/sp ace/a+b;c=d/😀/%e2%82%ac/%zz`,
    headers: { 'X-Sdk-Date': DATE },
  },
  'an UNSIGNED-PAYLOAD multipart-like upload': {
    method: 'PUT',
    endpoint: `${ENDPOINT}/v1/infers/abc/files`,
    // SDK quirk: a lower-case multipart content-type is dropped from signing (it is sent unsigned).
    headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD', 'X-Sdk-Date': DATE },
  },
};

describe('Huawei public test vector', () => {
  const headers = { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': DATE };
  const target = '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0';
  const signed = ['content-type', 'host', 'x-sdk-date'];
  const expected = '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';

  it('builds the documented canonical request and signature', () => {
    const canonical = canonicalRequest('GET', target, headers, signed, sha256Hex(''));
    expect(canonical).toBe([
      'GET', '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/', 'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
      'content-type;host;x-sdk-date', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n'));
    expect(signString(SK, DATE, canonical)).toBe(expected);
  });

  it('verifies, and the SDK and signRequest produce the same signature', () => {
    const authorization = `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=${expected}`;
    expect(verify({ method: 'GET', rawTarget: target, headers: { ...headers, authorization }, body: '' })).toEqual({ ok: true });
    const url = `https://service.region.example.com${target}`;
    const mine = signRequest({ method: 'GET', url, headers: { 'Content-Type': 'application/json' }, ak: AK, sk: SK, date: new Date(DATE_MS) });
    expect(mine.Authorization).toBe(authorization);
    const sdk = signWithSdk({ method: 'GET', endpoint: url.split('?')[0], queryParams: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' }, headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': DATE } });
    expect(sdk.headers.authorization).toBe(authorization);
  });
});

describe('canonicalisation of what the gateway receives', () => {
  const lines = (target: string, headers: IncomingHttpHeaders = {}, signed: string[] = []) => canonicalRequest('GET', target, headers, signed, '-').split('\n');
  it('encodes the received path as the SDK encoded its copy, and accepts absolute-form targets', () => {
    expect(lines("/v1/x%20y/caf%C3%A9/it's/%c3%a9")[1]).toBe('/v1/x%2520y/caf%C3%A9/it%2527s/%25c3%25a9/');
    expect(lines('http://gw:8080/v1/a?x=1').slice(1, 3)).toEqual(['/v1/a/', 'x=1']);
    expect(lines('')[1]).toBe('/');
  });
  it("reads '+' in the query as a space, sorts keys then values, and trims header values", () => {
    expect(lines('/?b=2&a=x+y&a=%2B&c')[2]).toBe('a=%2B&a=x%20y&b=2&c=');
    expect(lines('/', { 'x-a': '  v 1 ' }, ['x-a'])[3]).toBe('x-a:v 1');
  });
});

describe('interop with @huaweicloud/huaweicloud-sdk-core', () => {
  it.each(Object.entries(sdkCases))('accepts %s signed by AKSKSigner, and signRequest signs it identically', (_name, req) => {
    const sent = signWithSdk(req);
    expect(verify(sent)).toEqual({ ok: true });
    const { 'X-Sdk-Date': _date, ...headers } = req.headers;
    const unsignedPayload = 'X-Sdk-Content-Sha256' in headers;
    if (unsignedPayload) delete headers['X-Sdk-Content-Sha256'];
    if (headers['content-type']?.startsWith('multipart/')) delete headers['content-type'];
    const url = `${ENDPOINT}${sent.rawTarget}`;
    const mine = signRequest({ method: req.method, url, headers, body: sent.body, ak: AK, sk: SK, date: new Date(DATE_MS), unsignedPayload });
    expect(mine.Authorization).toBe(sent.headers.authorization);
    expect(verify({ ...sent, headers: received(mine) })).toEqual({ ok: true });
  });

  it('refuses tampering with the body, path, query or a signed header, and ignores unsigned headers', () => {
    const sent = signWithSdk({ ...jsonPost, headers: { ...jsonPost.headers, 'X-Tenant': 't1' } });
    const refused = { ok: false, reason: 'verify aksk signature fail' };
    expect(verify({ ...sent, body: sent.body.replace('qwen', 'qwem') })).toEqual(refused);
    expect(verify({ ...sent, rawTarget: sent.rawTarget.replace('/abc/', '/abd/') })).toEqual(refused);
    expect(verify({ ...sent, rawTarget: sent.rawTarget.replace('stream=false', 'stream=true') })).toEqual(refused);
    expect(verify({ ...sent, rawTarget: `${sent.rawTarget}&extra=1` })).toEqual(refused);
    expect(verify({ ...sent, headers: { ...sent.headers, 'x-tenant': 't2' } })).toEqual(refused);
    expect(verify({ ...sent, headers: { ...sent.headers, 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' } })).toEqual(refused);
    expect(verify(sent, DATE_MS, 'another-secret')).toEqual(refused);
    expect(verify({ ...sent, headers: { ...sent.headers, 'user-agent': 'curl/8', accept: '*/*' } })).toEqual({ ok: true });
  });

  it('accepts what the SDK client actually puts on the wire (HcClient over loopback)', async () => {
    const seen: TReceived[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, rawTarget: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.setHeader('content-type', 'application/json').end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const credentials = new BasicCredentials().withAk(AK).withSk(SK).withProjectId('p1');
      const client = new HcClient(new DefaultHttpClient({}, [endpoint]), {}).withCredential(credentials).withEndpoints([endpoint]);
      const pathParams = { id: "café it's|x y+%2F" };
      await client.sendRequest({ method: 'POST', url: '/v1/infers/{id}/chat', pathParams, queryParams: { b: ['2', '1'], a: 'x y+é!*' }, headers: {}, data: { msg: 'hi é' }, contentType: 'application/json' });
      await client.sendRequest({ method: 'POST', url: '/v1/infers/{id}/upload', pathParams, queryParams: {}, headers: {}, data: 'raw bytes', contentType: 'application/octet-stream' });
      expect(seen).toHaveLength(2);
      expect(seen[1].headers['x-sdk-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      for (const req of seen) expect(verify(req, Date.now())).toEqual({ ok: true });
    } finally {
      server.close();
    }
  });
});

describe('clock skew', () => {
  const sent = signWithSdk(jsonPost);
  it.each([-14, 14])('accepts a date %i minutes off', (minutes) => {
    expect(verify(sent, DATE_MS + minutes * MIN)).toEqual({ ok: true });
  });
  it('refuses a date 16 minutes off in either direction, naming both times', () => {
    expect(verify(sent, DATE_MS + 16 * MIN)).toEqual({
      ok: false, expired: true,
      reason: 'signature expired, signature time:20191115T033655Z,server time:20191115T035255Z',
    });
    expect(verify(sent, DATE_MS - 16 * MIN)).toMatchObject({ ok: false, expired: true, reason: expect.stringContaining('server time:20191115T032055Z') });
  });
  it('refuses a malformed or impossible X-Sdk-Date', () => {
    for (const date of ['2019-11-15T03:36:55Z', '20191115T033655', '20191315T033655Z', '20190230T033655Z', '20191115T243655Z', '20191115T036055Z', '20191115T033660Z']) {
      expect(verify({ ...sent, headers: { ...sent.headers, 'x-sdk-date': date } })).toEqual({ ok: false, reason: 'verify aksk signature fail: X-Sdk-Date must be YYYYMMDDTHHMMSSZ' });
    }
  });
});

describe('Authorization parsing', () => {
  const sig = 'a'.repeat(64);
  it('parses the SDK format', () => {
    expect(parseSdkAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=Host;X-Sdk-Date, Signature=${sig}`))
      .toEqual({ accessKey: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: sig });
    expect(parseSdkAuthorization('Bearer abc')).toBeUndefined();
    expect(parseSdkAuthorization(undefined)).toBeUndefined();
  });
  it.each([
    [`SDK-HMAC-SHA256 SignedHeaders=x-sdk-date, Signature=${sig}`, 'Authorization has no Access'],
    [`SDK-HMAC-SHA256 Access=AK1, Signature=${sig}`, 'Authorization has no SignedHeaders'],
    ['SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date', 'Authorization has no Signature'],
    [`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;content-type, Signature=${sig}`, 'X-Sdk-Date must be a signed header'],
    [`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;;x-sdk-date, Signature=${sig}`, 'SignedHeaders has an empty name'],
    [`SDK-HMAC-SHA1 Access=AK1, SignedHeaders=x-sdk-date, Signature=${sig}`, 'unsupported algorithm, expected SDK-HMAC-SHA256'],
  ])('refuses %s', (header, problem) => {
    expect(parseSdkAuthorization(header)).toEqual({ problem: `verify aksk signature fail: ${problem}` });
  });
  it('refuses a missing signed header or date, and a signature of the wrong length, without throwing', () => {
    const sent = signWithSdk(jsonPost);
    const auth = parseSdkAuthorization(sent.headers.authorization as string) as TSdkAuthorization;
    const base = { method: 'POST', rawTarget: sent.rawTarget, payloadHash: sha256Hex(sent.body), secret: SK, nowMs: DATE_MS };
    const { 'content-type': _ct, ...noContentType } = sent.headers;
    expect(verifySdkSignature({ ...base, headers: noContentType, auth })).toEqual({ ok: false, reason: 'verify aksk signature fail: signed header content-type is missing' });
    const { 'x-sdk-date': _d, ...noDate } = sent.headers;
    expect(verifySdkSignature({ ...base, headers: noDate, auth })).toEqual({ ok: false, reason: 'verify aksk signature fail: X-Sdk-Date header is missing' });
    expect(verifySdkSignature({ ...base, headers: sent.headers, auth: { ...auth, signedHeaders: ['host'] } })).toMatchObject({ ok: false });
    expect(verifySdkSignature({ ...base, headers: sent.headers, auth: { ...auth, signature: 'abc' } })).toEqual({ ok: false, reason: 'verify aksk signature fail' });
    expect(verifySdkSignature({ ...base, headers: sent.headers, auth: { ...auth, signature: auth.signature.toUpperCase() } })).toEqual({ ok: true });
  });
});
