/**
 * Bad input to object storage over real HTTP (issue 5 §1): `/obs/{bucket}/{key}` (with
 * `?extract=zip`), the console's `/api/obs/upload` and `/api/obs/download`. Keys and file names with
 * `..`, absolute paths, backslashes, NUL, non-BMP characters; zip entries that escape or are
 * symlinks; malformed multipart. Each gets a 4xx with an error code, nothing lands outside its
 * bucket, and a prediction still succeeds afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';
import { expectRefused, MALFORMED_ESCAPES, predictIris, rawRequest, tally, startTarget, type TRawRequest } from '../test-support/bad-input-kit';

let anvil: TTestAnvil;
let token: string;
let serviceId: string;
let cookie: string;

const send = (r: TRawRequest) => rawRequest(anvil.url, { ...r, headers: { 'x-auth-token': token, ...r.headers } });
const refused = async (r: TRawRequest, what = `${r.method ?? 'GET'} ${r.path.slice(0, 100)}`) => expectRefused(await send(r), what);

/** Object keys (as they appear in the URL) that must never reach the file system. */
const HOSTILE_KEYS = [
  '..', '../escaped', 'a/../../escaped', '%2e%2e/escaped', '%2E%2E%2Fescaped', 'a/%2e%2e/%2e%2e/escaped', './a', 'a/./b',
  '/escaped', '%2Fescaped', 'a\\..\\..\\escaped', 'a%5C..%5C..%5Cescaped', 'a%00b', '%00', 'a/%00/b',
  'n'.repeat(300), `${'ab/'.repeat(400)}x`, encodeURIComponent('😀'.repeat(80)),
  ...MALFORMED_ESCAPES.map((e) => `a${e}`),
];
const HOSTILE_BUCKETS = ['AB', 'a', '-ab', 'ab-', 'a.b', '..', '.', '%2e%2e', encodeURIComponent('😀abc'), 'ab%00c', 'a'.repeat(64), 'a%5Cb', ...MALFORMED_ESCAPES];

const UNIX_SYMLINK = (0o120777 << 16) >>> 0;
/** Zip archives whose entries escape their folder, are links, or are not archives at all. */
const HOSTILE_ZIPS: [string, Uint8Array][] = [
  ['entry with ../', zipSync({ '../escaped-rel.txt': strToU8('x') })],
  ['entry nested ../../', zipSync({ 'a/../../escaped-rel.txt': strToU8('x') })],
  ['absolute entry', zipSync({ '/tmp/escaped-abs.txt': strToU8('x') })],
  ['backslash entry', zipSync({ 'a\\..\\..\\escaped-bs.txt': strToU8('x') })],
  ['NUL in an entry name', zipSync({ 'a\u0000b.txt': strToU8('x') })],
  ['symlink to /etc/passwd', zipSync({ 'link': [strToU8('/etc/passwd'), { os: 3, attrs: UNIX_SYMLINK }] })],
  ['symlink to ..', zipSync({ 'up': [strToU8('../../..'), { os: 3, attrs: UNIX_SYMLINK }], 'up/escaped-link.txt': strToU8('x') })],
  ['not a zip', strToU8('this is not an archive')],
  ['empty body', new Uint8Array(0)],
  ['truncated zip', zipSync({ 'a.txt': strToU8('x'.repeat(1000)) }).subarray(0, 60)],
];

function multipart(parts: { name: string; value?: string; filename?: string; data?: Uint8Array }[], boundary = 'anvil-boundary'): Buffer {
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n\r\n`, 'utf8'),
    p.data ? Buffer.from(p.data) : Buffer.from(p.value ?? '', 'utf8'),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}
const upload = (body: Buffer, type = 'multipart/form-data; boundary=anvil-boundary') =>
  rawRequest(anvil.url, { method: 'POST', path: '/api/obs/upload', body, headers: { cookie, 'x-anvil-console': '1', 'content-type': type } });

beforeAll(async () => {
  ({ anvil, token, serviceId, cookie } = await startTarget());
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('/obs/{bucket}/{key}', () => {
  it('refuses hostile bucket names and object keys on every method', async () => {
    for (const bucket of HOSTILE_BUCKETS) await refused({ method: 'PUT', path: `/obs/${bucket}` });
    for (const key of HOSTILE_KEYS) {
      await refused({ method: 'PUT', path: `/obs/models/${key}`, body: 'x' });
      await refused({ method: 'GET', path: `/obs/models/${key}` });
      await refused({ method: 'DELETE', path: `/obs/models/${key}` });
      await refused({ method: 'PUT', path: `/obs/models/${key}?extract=zip`, body: Buffer.from(zipSync({ 'a.txt': strToU8('x') })) });
    }
    await refused({ method: 'PUT', path: '/obs/no-such-bucket/a.txt', body: 'x' });
    await refused({ method: 'POST', path: '/obs/models/a.txt', body: 'x' });
    await refused({ method: 'PUT', path: '/obs/models/a.txt?extract=%E0', body: 'x' });
    await refused({ method: 'GET', path: `/obs/models/${'a/'.repeat(4000)}x` });
  });

  it('refuses zip archives whose entries escape, are links or are broken, leaving nothing behind', async () => {
    for (const [what, zip] of HOSTILE_ZIPS) {
      await refused({ method: 'PUT', path: `/obs/models/zips/${what.replace(/\W+/g, '-')}?extract=zip`, body: Buffer.from(zip), headers: { 'content-type': 'application/zip' } }, what);
    }
    const root = path.dirname(anvil.dataDir);
    for (const name of ['escaped-rel.txt', 'escaped-bs.txt', 'escaped-link.txt']) {
      expect(fs.existsSync(path.join(anvil.dataDir, name)) || fs.existsSync(path.join(root, name))).toBe(false);
    }
    expect(fs.existsSync('/tmp/escaped-abs.txt')).toBe(false);
    const listing = (await (await fetch(`${anvil.url}/obs/models/zips/`, { headers: { 'x-auth-token': token } })).json()) as { entries?: unknown[] };
    expect(listing.entries ?? []).toEqual([]);
  });
});

describe('/api/obs/upload and /api/obs/download (console)', () => {
  it('refuses uploads that are not well-formed multipart', async () => {
    const file = { name: 'file', filename: 'a.txt', value: 'x' };
    const cases: [string, Buffer, string?][] = [
      ['JSON instead of multipart', Buffer.from('{"bucket":"models"}'), 'application/json'],
      ['no boundary', multipart([{ name: 'bucket', value: 'models' }, file]), 'multipart/form-data'],
      ['wrong boundary', multipart([{ name: 'bucket', value: 'models' }, file], 'other'), undefined],
      ['cut off mid-part', multipart([{ name: 'bucket', value: 'models' }, file]).subarray(0, 80), undefined],
      ['no file', multipart([{ name: 'bucket', value: 'models' }]), undefined],
      ['no bucket', multipart([file]), undefined],
      ['empty body', Buffer.alloc(0), undefined],
      ['garbage', Buffer.from('\u0000\u0001\u0002 not multipart'), undefined],
    ];
    for (const [what, body, type] of cases) expectRefused(await upload(body, type), what);
    expectRefused(await rawRequest(anvil.url, { method: 'POST', path: '/api/obs/upload', body: multipart([{ name: 'bucket', value: 'models' }, file]), headers: { cookie, 'content-type': 'multipart/form-data; boundary=anvil-boundary' } }), 'no X-Anvil-Console');
  });

  it('refuses file names, buckets and prefixes that would leave the bucket', async () => {
    const names = ['../escaped-up.txt', '..\\..\\escaped-up.txt', '/../../escaped-up.txt', 'a/../../escaped-up.txt', 'a\u0000b.txt', '..', '.', `${'a/'.repeat(3000)}x`, 'n'.repeat(300), '😀'.repeat(80)];
    for (const filename of names) {
      expectRefused(await upload(multipart([{ name: 'bucket', value: 'models' }, { name: 'file', filename, value: 'x' }])), `file name ${JSON.stringify(filename.slice(0, 40))}`);
    }
    for (const bucket of ['../models', 'models/..', '', 'no-such-bucket', 'AB', 'a\u0000b', '😀']) {
      expectRefused(await upload(multipart([{ name: 'bucket', value: bucket }, { name: 'file', filename: 'a.txt', value: 'x' }])), `bucket ${JSON.stringify(bucket)}`);
    }
    for (const prefix of ['../', '/abs/', 'a/../../', '..\\', 'a\u0000/']) {
      expectRefused(await upload(multipart([{ name: 'bucket', value: 'models' }, { name: 'prefix', value: prefix }, { name: 'file', filename: 'a.txt', value: 'x' }])), `prefix ${JSON.stringify(prefix)}`);
    }
    for (const [what, zip] of HOSTILE_ZIPS) {
      const body = multipart([{ name: 'bucket', value: 'models' }, { name: 'extract', value: 'true' }, { name: 'file', filename: 'hostile.zip', data: zip }]);
      expectRefused(await upload(body), `console zip: ${what}`);
    }
    expect(fs.existsSync(path.join(anvil.dataDir, 'escaped-up.txt')) || fs.existsSync(path.join(path.dirname(anvil.dataDir), 'escaped-up.txt'))).toBe(false);
  });

  it('refuses downloads of keys that are not objects of the bucket', async () => {
    const download = (query: string, headers: Record<string, string> = { cookie }) => rawRequest(anvil.url, { path: `/api/obs/download?${query}`, headers });
    for (const query of ['', 'bucket=models', 'key=a.txt', 'bucket=models&key=', 'bucket=models&key=..%2F..%2Fanvil.db', 'bucket=..&key=anvil.db', 'bucket=models&key=%2Fetc%2Fpasswd',
      'bucket=models&key=a%5C..%5Cb', 'bucket=models&key=a%00b', 'bucket=models&key=iris%2F', 'bucket=%F0%9F%98%80&key=a', 'bucket=models&key=%E0']) {
      expectRefused(await download(query), `download ?${query}`);
    }
    expectRefused(await download('bucket=models&key=iris/model/config.json', { cookie: 'anvil_session=%E0' }), 'download with a malformed cookie');
  });
});

describe('after the bad input', () => {
  it('Anvil is alive and a prediction still succeeds', async () => {
    expect(await predictIris(anvil.url, token, serviceId)).toMatchObject({ status: 200, body: { data: { resp_data: [{ predict_result: 'Iris-virginica' }] } } });
    console.log(`bad-input cases (object storage): ${tally.cases}`);
    expect(tally.cases).toBeGreaterThanOrEqual(170);
  });
});
