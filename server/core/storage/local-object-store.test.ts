import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from './local-object-store';
import { parseObsUri } from './obs-uri';
import type { TZipLimits } from './zip-extract';

let root: string;
let store: LocalObjectStore;

const text = (t: string) => new TextEncoder().encode(t);
const zipOf = (files: Zippable) => Buffer.from(zipSync(files));
const extract = (into: LocalObjectStore, zip: Uint8Array, prefix = 'pkg/') => into.extractZip('models', prefix, Readable.from([Buffer.from(zip)]));
const limited = (zipLimits: Partial<TZipLimits>) => new LocalObjectStore(path.join(root, 'obs'), { zipLimits });
/** Every file under the bucket and the staging area, relative to the data directory. */
const filesUnder = (...dirs: string[]) =>
  dirs.flatMap((d) => (fs.existsSync(path.join(root, d)) ? fs.readdirSync(path.join(root, d), { recursive: true, encoding: 'utf8' }).map((f) => `${d}/${f}`) : []));
/** Rewrites fields of a one-entry archive in both its local header and its central-directory record. */
function patchEntry(zip: Buffer, local: Record<number, number>, central: Record<number, number>): Buffer {
  const out = Buffer.from(zip);
  const cd = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  for (const [offset, value] of Object.entries(local)) out.writeUInt32LE(value >>> 0, Number(offset));
  for (const [offset, value] of Object.entries(central)) out.writeUInt32LE(value >>> 0, cd + Number(offset));
  return out;
}
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-obs-'));
  store = new LocalObjectStore(path.join(root, 'obs'));
  store.createBucket('models');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('local object storage', () => {
  it('stores, lists (folders first) and reads objects', async () => {
    await store.putObject('models', 'iris/model/config.json', Readable.from(['{}']));
    store.createFolder('models', 'empty/');
    expect(store.list('models', '').map((e) => [e.name, e.isFolder])).toEqual([['empty', true], ['iris', true]]);
    expect(store.list('models', 'iris/model/')).toMatchObject([{ name: 'config.json', key: 'iris/model/config.json', size: 2 }]);
  });

  it('extracts a zip under a folder', async () => {
    const zip = zipOf({ 'model/config.json': text('{}'), 'model/sub/': new Uint8Array() });
    expect(await extract(store, zip)).toBe(1);
    expect(fs.existsSync(path.join(root, 'obs/models/pkg/model/config.json'))).toBe(true);
    expect(fs.statSync(path.join(root, 'obs/models/pkg/model/sub')).isDirectory()).toBe(true);
  });

  it('refuses keys that would escape the bucket', async () => {
    await expect(store.putObject('models', '../outside.txt', Readable.from(['x']))).rejects.toThrow('not a valid object key');
    expect(() => parseObsUri('obs://models/a/../../etc')).toThrow('not a valid object key');
    expect(() => store.list('../obs', '')).toThrow('not a valid bucket name');
  });

  it('refuses bad bucket names, duplicates, and deleting a non-empty bucket', async () => {
    expect(() => store.createBucket('Bad_Name')).toThrow('lowercase');
    expect(() => store.createBucket('models')).toThrow('already exists');
    await store.putObject('models', 'a.txt', Readable.from(['x']));
    expect(() => store.delete('models', '')).toThrow('not empty');
    store.delete('models', 'a.txt');
    store.delete('models', '');
    expect(store.listBuckets()).toEqual([]);
  });
});

describe('zip extraction: streamed, capped, all or nothing (issue 5 §1)', () => {
  const MiB = 1024 ** 2;
  const zeros = new Uint8Array(MiB);

  it.each([
    ['../../escaped.txt', 'parent segments'],
    ['/etc/absolute.txt', 'an absolute path'],
    ['model\\..\\..\\evil.txt', 'backslashes'],
    ['C:/Windows/evil.txt', 'a drive letter'],
  ])('refuses the entry %s (%s) by name, writing nothing anywhere', async (name) => {
    const zip = zipOf({ 'model/good.txt': text('fine'), [name]: text('x') });
    await expect(extract(store, zip)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`"${name}"`) });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
    expect(fs.existsSync(path.join(root, 'escaped.txt'))).toBe(false);
  });

  it('refuses a symbolic-link entry (S_IFLNK in its unix mode) by name', async () => {
    const zip = zipOf({ 'model/good.txt': text('fine'), 'model/passwd': [text('/etc/passwd'), { os: 3, attrs: 0o120777 << 16 }] });
    await expect(extract(store, zip)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"model/passwd" is a symbolic link') });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
  });

  it('refuses an encrypted entry by name', async () => {
    // A stored entry marked encrypted (flag bit 0; method 0 "stored" in the next two bytes) with the 12-byte header it would carry.
    const plain = text('ciphertext');
    const zip = patchEntry(zipOf({ 'secret.bin': [plain, { level: 0 }] }), { 6: 0x1, 18: plain.length + 12 }, { 8: 0x1, 20: plain.length + 12 });
    await expect(extract(store, zip)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"secret.bin" is encrypted') });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
  });

  it('stops a zip bomb at the cap on extracted bytes: 413 naming the cap, and no trace in the bucket', async () => {
    const bomb = zipOf(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`bomb/zeros-${i}.bin`, zeros])));
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(extract(limited({ maxExtractedBytes: 4 * MiB }), bomb)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('more than 4 MiB'),
    });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
  });

  it('counts the bytes really inflated: an entry whose header understates its size is refused, nothing written', async () => {
    // 3 MiB of zeros declared as 100 bytes; the cap is 1 MiB, so the declared size alone would pass it.
    const liar = patchEntry(zipOf({ 'liar.bin': new Uint8Array(3 * MiB) }), { 22: 100 }, { 24: 100 });
    await expect(extract(limited({ maxExtractedBytes: MiB }), liar)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"liar.bin"') });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
  });

  it('refuses more entries than the cap with 413, before extracting any', async () => {
    const many = zipOf(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.txt`, text(String(i))])));
    await expect(extract(limited({ maxEntries: 5 }), many)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('at most 5 entries') });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
    expect(await extract(limited({ maxEntries: 6 }), many)).toBe(6);
  });

  it('refuses an archive larger than its cap while receiving it', async () => {
    const big = zipOf({ 'noise.bin': [randomBytes(64 * 1024), { level: 0 }] });
    await expect(extract(limited({ maxArchiveBytes: 16 * 1024 }), big)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('16 KiB') });
    expect(filesUnder('obs', 'obs.staging')).toEqual(['obs/models']);
  });

  it('answers 400 for a file that is not a zip archive', async () => {
    await expect(extract(store, Buffer.from('plain text, not a zip'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not a valid .zip') });
  });

  it('merges into an existing folder; a failed archive leaves it exactly as it was', async () => {
    await extract(store, zipOf({ 'old.txt': text('old'), 'same.txt': text('v1') }));
    expect(await extract(store, zipOf({ 'same.txt': text('v2'), 'sub/new.txt': text('new') }))).toBe(2);
    const read = (f: string) => fs.readFileSync(path.join(root, 'obs/models/pkg', f), 'utf8');
    expect([read('old.txt'), read('same.txt'), read('sub/new.txt')]).toEqual(['old', 'v2', 'new']);

    const failing = zipOf({ 'same.txt': text('v3'), 'later.txt': text('x'), 'big/zeros.bin': new Uint8Array(2 * MiB) });
    await expect(extract(limited({ maxExtractedBytes: MiB }), failing)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect([read('old.txt'), read('same.txt'), fs.existsSync(path.join(root, 'obs/models/pkg/later.txt'))]).toEqual(['old', 'v2', false]);
  });

  it('refuses, before moving anything, an archive whose file would replace a folder', async () => {
    await extract(store, zipOf({ 'sub/keep.txt': text('keep') }));
    await expect(extract(store, zipOf({ 'a.txt': text('a'), sub: text('a file where a folder is') }))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fs.existsSync(path.join(root, 'obs/models/pkg/a.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'obs/models/pkg/sub/keep.txt'), 'utf8')).toBe('keep');
  });
});
