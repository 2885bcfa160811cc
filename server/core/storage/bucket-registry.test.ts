import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainBus } from '../bus';
import { openDatabase, type TDatabase } from '../db/database';
import { Directory } from '../iam/directory';
import { Iam } from '../iam/iam';
import { BucketRegistry } from './bucket-registry';
import { LocalObjectStore } from './local-object-store';

let root: string;
let db: TDatabase;
let registry: BucketRegistry;
let a: string;
let b: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-buckets-'));
  db = openDatabase(':memory:');
  const iam = new Iam(db, new DomainBus());
  iam.bootstrap('bucket-test-pass');
  const directory = new Directory(db, iam);
  a = directory.findProject('default')!.id;
  b = directory.createProject({ name: 'team-b' }).id;
  const obs = path.join(root, 'obs');
  registry = new BucketRegistry(db, new LocalObjectStore(obs), obs);
});
afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('bucket ownership', () => {
  it('lists only the project own buckets and answers another project bucket as missing', async () => {
    registry.forProject(a).createBucket('models');
    await registry.forProject(a).putObject('models', 'iris/config.json', Readable.from(['{}']));
    registry.forProject(b).createBucket('team-b-data');
    expect(registry.forProject(a).listBuckets().map((x) => x.name)).toEqual(['models']);
    expect(registry.forProject(b).listBuckets().map((x) => x.name)).toEqual(['team-b-data']);
    const asB = registry.forProject(b);
    const missing = { code: 'NOT_FOUND', message: 'Bucket models does not exist.' };
    expect(() => asB.list('models', '')).toThrow(expect.objectContaining(missing));
    expect(() => asB.openObject('models', 'iris/config.json')).toThrow(expect.objectContaining(missing));
    expect(() => asB.delete('models', 'iris/')).toThrow(expect.objectContaining(missing));
    expect(() => asB.pathOf('models', 'iris')).toThrow(expect.objectContaining(missing));
    expect(() => asB.createFolder('models', 'x/')).toThrow(expect.objectContaining(missing));
    await expect(async () => asB.putObject('models', 'evil.txt', Readable.from(['x']))).rejects.toMatchObject(missing);
    // Same answer as a bucket nobody has.
    expect(() => asB.list('nobody-has-this', '')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(fs.existsSync(path.join(root, 'obs/models/evil.txt'))).toBe(false);
  });

  it('keeps names globally unique and frees a name when its bucket is deleted', () => {
    registry.forProject(a).createBucket('shared-name');
    expect(() => registry.forProject(b).createBucket('shared-name')).toThrow(expect.objectContaining({ code: 'CONFLICT', field: 'name' }));
    registry.forProject(a).delete('shared-name', '');
    registry.forProject(b).createBucket('shared-name');
    expect(registry.ownerOf('shared-name')).toBe(b);
  });

  it('gives folders from before projects to the default project at start, and drops rows without a folder', () => {
    fs.mkdirSync(path.join(root, 'obs/legacy-bucket'), { recursive: true });
    registry.forProject(b).createBucket('gone');
    fs.rmdirSync(path.join(root, 'obs/gone'));
    expect(registry.reconcile(a)).toEqual({ adopted: ['legacy-bucket'], dropped: ['gone'] });
    expect(registry.forProject(a).listBuckets().map((x) => x.name)).toEqual(['legacy-bucket']);
    expect(registry.reconcile(a)).toEqual({ adopted: [], dropped: [] });
  });
});
