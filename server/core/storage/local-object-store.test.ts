import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from './local-object-store';
import { parseObsUri } from './obs-uri';

let root: string;
let store: LocalObjectStore;
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

  it('extracts a zip under a folder', () => {
    const zip = Buffer.from(zipSync({ 'model/config.json': new TextEncoder().encode('{}'), 'model/sub/': new Uint8Array() }));
    expect(store.extractZip('models', 'pkg/', zip)).toBe(1);
    expect(fs.existsSync(path.join(root, 'obs/models/pkg/model/config.json'))).toBe(true);
  });

  it('refuses archive entries and keys that would escape the bucket', async () => {
    const evil = Buffer.from(zipSync({ '../../escaped.txt': new TextEncoder().encode('x') }));
    expect(() => store.extractZip('models', 'pkg/', evil)).toThrow('not a valid object key');
    expect(fs.existsSync(path.join(root, 'escaped.txt'))).toBe(false);
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
