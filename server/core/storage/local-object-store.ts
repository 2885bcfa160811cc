/** Object storage on a local directory: `<root>/<bucket>/<key>`; a folder is a directory. */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import type { TBucket, TObsEntry } from '../../contracts/obs';
import { ZBucketNameSchema } from '../../contracts/obs';
import { CoreError, invalid, notFound } from '../errors';
import { checkKey } from './obs-uri';

/** Zip archives are extracted in memory; model packages larger than this go up as folders. */
const MAX_ZIP_BYTES = 512 * 1024 * 1024;

export class LocalObjectStore {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  listBuckets(): TBucket[] {
    return fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ name: d.name, createdAt: fs.statSync(path.join(this.root, d.name)).birthtimeMs }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  createBucket(name: string): void {
    const parsed = ZBucketNameSchema.safeParse(name);
    if (!parsed.success) throw invalid('name', parsed.error.issues[0].message);
    const dir = path.join(this.root, parsed.data);
    if (fs.existsSync(dir)) throw new CoreError('CONFLICT', `Bucket ${name} already exists.`, 'name');
    fs.mkdirSync(dir);
  }

  /** Lists one level under `prefix` (which is "" or ends with "/"). */
  list(bucket: string, prefix: string): TObsEntry[] {
    const dir = this.pathOf(bucket, prefix);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw notFound(`Folder obs://${bucket}/${prefix}`);
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .map((d) => {
        const stat = fs.statSync(path.join(dir, d.name));
        const isFolder = d.isDirectory();
        return { name: d.name, key: `${prefix}${d.name}${isFolder ? '/' : ''}`, isFolder, size: isFolder ? 0 : stat.size, modifiedAt: stat.mtimeMs };
      })
      .sort((a, b) => Number(b.isFolder) - Number(a.isFolder) || a.name.localeCompare(b.name));
  }

  createFolder(bucket: string, key: string): void {
    const dir = this.pathOf(bucket, key);
    if (fs.existsSync(dir)) throw new CoreError('CONFLICT', `obs://${bucket}/${key} already exists.`, 'name');
    fs.mkdirSync(dir, { recursive: true });
  }

  async putObject(bucket: string, key: string, body: Readable): Promise<void> {
    if (!key || key.endsWith('/')) throw invalid('key', 'An object key must name a file.');
    const file = this.pathOf(bucket, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.uploading-${process.pid}-${Date.now()}`;
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  /** Extracts a .zip under `prefix`; entries are checked like keys, so an archive cannot write outside it. */
  extractZip(bucket: string, prefix: string, zip: Buffer): number {
    if (zip.length > MAX_ZIP_BYTES) throw new CoreError('PAYLOAD_TOO_LARGE', 'Zip archives are limited to 512 MB; upload the folder instead.');
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip);
    } catch {
      throw invalid('file', 'The file is not a valid .zip archive.');
    }
    const entries = Object.entries(files).filter(([name]) => !name.startsWith('__MACOSX/'));
    for (const [name] of entries) checkKey(prefix + name, 'file');
    this.bucketDir(bucket);
    for (const [name, data] of entries) {
      const target = this.pathOf(bucket, prefix + name);
      if (name.endsWith('/')) fs.mkdirSync(target, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, data);
      }
    }
    return entries.filter(([n]) => !n.endsWith('/')).length;
  }

  openObject(bucket: string, key: string): { stream: Readable; size: number } {
    const file = this.pathOf(bucket, key);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw notFound(`Object obs://${bucket}/${key}`);
    return { stream: fs.createReadStream(file), size: fs.statSync(file).size };
  }

  /** Deletes an object, a folder (recursively) or, with an empty key, an empty bucket. */
  delete(bucket: string, key: string): void {
    const target = this.pathOf(bucket, key);
    if (!fs.existsSync(target)) throw notFound(`obs://${bucket}/${key}`);
    if (key === '') {
      if (fs.readdirSync(target).length > 0) throw new CoreError('FAILED_PRECONDITION', `Bucket ${bucket} is not empty.`);
      fs.rmdirSync(target);
      return;
    }
    fs.rmSync(target, { recursive: true });
  }

  /** The local directory or file behind an address, for the registry's import copy. */
  pathOf(bucket: string, key: string): string {
    return path.join(this.bucketDir(bucket), checkKey(key));
  }

  private bucketDir(bucket: string): string {
    if (!ZBucketNameSchema.safeParse(bucket).success) throw invalid('bucket', `"${bucket}" is not a valid bucket name.`);
    const dir = path.join(this.root, bucket);
    if (!fs.existsSync(dir)) throw notFound(`Bucket ${bucket}`);
    return dir;
  }
}
