/**
 * Zip uploads cannot exhaust Anvil's memory or disk (issue 5 §1), over real HTTP on both doors:
 * `PUT /obs/{bucket}/{key}?extract=zip` and the console's multipart upload. Caps are shrunk here
 * (extracted bytes 100 MiB, entries 50); memory is Anvil's own, since it runs in this process.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, zipFolder, type TTestAnvil } from '../test-support/anvil-harness';

const MiB = 1024 ** 2;
let anvil: TTestAnvil;
let token: string;
let scratch: string;

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { zipLimits: { maxExtractedBytes: 100 * MiB, maxEntries: 50 } });
  ({ token } = await getToken(anvil.url));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-zip-it-'));
  expect((await fetch(`${anvil.url}/obs/zips`, { method: 'PUT', headers: { 'x-auth-token': token } })).status).toBe(201);
});
afterAll(async () => {
  await anvil?.close();
  if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** `count` entries of 10 MiB of zeros: a few KB on the wire each. */
function zerosZip(count: number): Uint8Array<ArrayBuffer> {
  const zeros = new Uint8Array(10 * MiB);
  return zipSync(Object.fromEntries(Array.from({ length: count }, (_, i) => [`part-${i}.bin`, zeros])));
}

/** A zip file on disk with one stored (uncompressed) entry of `mib` MiB of noise, written without holding it in memory. */
function storedZipFile(mib: number): string {
  const file = path.join(scratch, `stored-${mib}.zip`);
  const block = randomBytes(MiB);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(block, crc);
  const name = Buffer.from('noise.bin');
  const size = mib * MiB;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(size, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + size, 16);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, Buffer.concat([local, name]));
  for (let i = 0; i < mib; i++) fs.writeSync(fd, block);
  fs.writeSync(fd, Buffer.concat([central, name, end]));
  fs.closeSync(fd);
  return file;
}

/**
 * How much Anvil's resident memory grew while `work` ran: from the kernel's high-water mark when
 * `work` raised it, else from samples every 5 ms.
 */
async function memoryGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMiB: number }> {
  const before = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  let sampled = before;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    sampled = Math.max(sampled, process.memoryUsage().rss);
    const peakAfter = process.resourceUsage().maxRSS * 1024;
    const peak = peakAfter > peakBefore ? Math.max(peakAfter, sampled) : sampled;
    return { result, growthMiB: (peak - before) / MiB };
  } finally {
    clearInterval(sampler);
  }
}

const putZip = async (key: string, body: BodyInit) => {
  const res = await fetch(`${anvil.url}/obs/zips/${key}?extract=zip`, { method: 'PUT', headers: { 'x-auth-token': token }, body });
  return { status: res.status, body: (await res.json()) as { error_code?: string; error_msg?: string; files?: number } };
};
const listing = async (key = '') =>
  ((await (await fetch(`${anvil.url}/obs/zips/${key}`, { headers: { 'x-auth-token': token } })).json()) as { entries?: { name: string; size: number }[] }).entries ?? [];
const staged = () => fs.readdirSync(path.join(anvil.dataDir, 'obs.staging'));

/** The console's multipart upload, streamed from `parts` (files read from disk as they are sent). */
function consoleUpload(fields: Record<string, string>, files: { name: string; path?: string; data?: Uint8Array }[]) {
  const boundary = `----anvil-it-${Date.now()}`;
  async function* multipart() {
    for (const [k, v] of Object.entries(fields)) yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    for (const f of files) {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      if (f.path) yield* fs.createReadStream(f.path, { highWaterMark: 256 * 1024 });
      else yield f.data!;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  const { hostname, port } = new URL(anvil.url);
  return new Promise<{ status: number; body: { stored?: number; error_msg?: string } }>((resolve, reject) => {
    const req = http.request(
      { hostname, port, path: '/api/obs/upload', method: 'POST', headers: { 'x-auth-token': token, 'content-type': `multipart/form-data; boundary=${boundary}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    Readable.from(multipart()).pipe(req);
  });
}

describe('PUT /obs/{bucket}/{key}?extract=zip', () => {
  it('an archive within the caps streams to disk: 80 MiB extracted with memory flat', async () => {
    const archive = zerosZip(8);
    const { result, growthMiB } = await memoryGrowth(() => putZip('zeros', archive));
    expect(result).toMatchObject({ status: 201, body: { files: 8 } });
    expect((await listing('zeros/')).map((e) => e.size)).toEqual(Array(8).fill(10 * MiB));
    expect(growthMiB, `memory grew ${growthMiB.toFixed(1)} MiB`).toBeLessThan(50);
  });

  it('a zip bomb (240 MiB of zeros in a few hundred KB) answers 413 with the cap, leaves no trace, and memory stays flat', async () => {
    const bomb = zerosZip(24);
    expect(bomb.length).toBeLessThan(512 * 1024);
    const { result, growthMiB } = await memoryGrowth(() => putZip('bomb', bomb));
    expect(result.status).toBe(413);
    expect(result.body).toMatchObject({ error_code: 'ModelArts.0107', error_msg: expect.stringContaining('more than 100 MiB') });
    expect((await listing()).map((e) => e.name).sort()).toEqual(['zeros']);
    expect(staged()).toEqual([]);
    expect(growthMiB, `memory grew ${growthMiB.toFixed(1)} MiB`).toBeLessThan(50);
  });

  it('more entries than the cap answer 413', async () => {
    const many = Buffer.from(zipSync(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}.txt`, new TextEncoder().encode('x')]))));
    const res = await putZip('many', many);
    expect(res.status).toBe(413);
    expect(res.body.error_msg).toContain('at most 50 entries');
    expect((await listing()).map((e) => e.name)).not.toContain('many');
  });

  it('an entry that escapes the folder, or a symbolic link, answers 400 naming it, and nothing is written', async () => {
    const text = (t: string) => new TextEncoder().encode(t);
    const escaping = await putZip('evil', Buffer.from(zipSync({ 'ok.txt': text('ok'), '../../outside.txt': text('x') })));
    expect(escaping.status).toBe(400);
    expect(escaping.body.error_msg).toContain('"../../outside.txt"');
    const link = await putZip('evil', Buffer.from(zipSync({ 'ok.txt': text('ok'), 'link': [text('/etc/passwd'), { os: 3, attrs: 0o120777 << 16 }] })));
    expect(link.status).toBe(400);
    expect(link.body.error_msg).toContain('"link" is a symbolic link');
    expect((await listing()).map((e) => e.name)).not.toContain('evil');
    expect(fs.existsSync(path.join(anvil.dataDir, 'obs', 'outside.txt'))).toBe(false);
  });

  it('the iris example still extracts', async () => {
    const res = await putZip('iris', Buffer.from(zipFolder(path.resolve('examples/iris/model'))));
    expect(res).toMatchObject({ status: 201, body: { files: 3 } });
    expect((await listing('iris/model/')).map((e) => e.name)).toEqual(['config.json', 'customize_service.py', 'iris_softmax.npz']);
  });
});

describe('console upload (POST /api/obs/upload, extract=true)', () => {
  it('a zip bomb part answers 413 with the cap, and nothing of the upload is stored', async () => {
    const res = await consoleUpload({ bucket: 'zips', prefix: 'console/', extract: 'true' }, [{ name: 'bomb.zip', data: zerosZip(24) }]);
    expect(res.status).toBe(413);
    expect(res.body.error_msg).toContain('more than 100 MiB');
    expect((await listing()).map((e) => e.name)).not.toContain('console');
    expect(staged()).toEqual([]);
  });

  it('an 80 MiB zip part streams through a staging file, never into memory, next to a plain file', async () => {
    const zipFile = storedZipFile(80);
    const { result, growthMiB } = await memoryGrowth(() =>
      consoleUpload({ bucket: 'zips', prefix: 'console/', extract: 'true' }, [{ name: 'big.zip', path: zipFile }, { name: 'readme.txt', data: Buffer.from('hello') }]),
    );
    expect(result).toMatchObject({ status: 201, body: { stored: 2 } });
    expect(await listing('console/big/')).toMatchObject([{ name: 'noise.bin', size: 80 * MiB }]);
    expect(await listing('console/')).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'readme.txt', size: 5 })]));
    expect(growthMiB, `memory grew ${growthMiB.toFixed(1)} MiB`).toBeLessThan(50);
  });
});
