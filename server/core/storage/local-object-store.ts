/** Object storage on a local directory: `<root>/<bucket>/<key>`; a folder is a directory. */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { TBucket, TObsEntry } from '../../contracts/obs';
import { ZBucketNameSchema } from '../../contracts/obs';
import { CoreError, invalid, notFound } from '../errors';
import { checkKey } from './obs-uri';
import { DEFAULT_ZIP_LIMITS, extractArchive, mergeInto, receiveArchive, type TZipLimits } from './zip-extract';

export type TObjectStoreOptions = { zipLimits?: Partial<TZipLimits> };

export class LocalObjectStore {
  /** Where archives are received and extracted before they move into a bucket: beside the buckets, never listed as one. */
  private readonly stagingRoot: string;
  private readonly zipLimits: TZipLimits;

  constructor(
    private readonly root: string,
    options: TObjectStoreOptions = {},
  ) {
    fs.mkdirSync(root, { recursive: true });
    this.stagingRoot = `${root}.staging`;
    // Leftovers of an extraction that a crash interrupted.
    fs.rmSync(this.stagingRoot, { recursive: true, force: true });
    fs.mkdirSync(this.stagingRoot, { recursive: true });
    this.zipLimits = { ...DEFAULT_ZIP_LIMITS, ...options.zipLimits };
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
    const clash = () => new CoreError('CONFLICT', `obs://${bucket}/${key} clashes with an existing object or folder.`, 'key');
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (e) {
      // A parent "folder" of the key is an object (EEXIST / ENOTDIR).
      if (['EEXIST', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw clash();
      throw e;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw clash();
    const tmp = `${file}.uploading-${process.pid}-${Date.now()}`;
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Extracts a .zip streamed in `body` under `prefix`, all or nothing: the archive is received and
   * extracted in a staging folder within the caps (413), refused entries are named (400), and the
   * files move into the bucket only when every entry succeeded. Returns the number of files.
   */
  async extractZip(bucket: string, prefix: string, body: Readable): Promise<number> {
    const target = this.pathOf(bucket, checkKey(prefix, 'file'));
    const work = fs.mkdtempSync(path.join(this.stagingRoot, 'zip-'));
    try {
      const archive = path.join(work, 'archive.zip');
      await receiveArchive(body, archive, this.zipLimits.maxArchiveBytes);
      const staged = path.join(work, 'files');
      fs.mkdirSync(staged);
      const files = await extractArchive(archive, staged, this.zipLimits);
      mergeInto(staged, target, (relative) => `obs://${bucket}/${prefix}${relative}`);
      return files;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  openObject(bucket: string, key: string): { stream: Readable; size: number } {
    const file = this.pathOf(bucket, key);
    // Opened now, not on the next tick: a delete that lands in between cannot fail the read.
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY);
    } catch {
      throw notFound(`Object obs://${bucket}/${key}`);
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      fs.closeSync(fd);
      throw notFound(`Object obs://${bucket}/${key}`);
    }
    return { stream: fs.createReadStream('', { fd }), size: stat.size };
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
