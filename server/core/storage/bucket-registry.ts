/**
 * Which project owns each bucket. Names stay globally unique (as on OBS), and a bucket of another
 * project is answered exactly like a bucket that does not exist (404), so its contents and
 * activity stay invisible. Creating a name another project holds is a conflict, as on OBS.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TBucket } from '../../contracts/obs';
import { ZBucketNameSchema } from '../../contracts/obs';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { now } from '../ids';
import type { LocalObjectStore } from './local-object-store';

/** Store methods whose first argument is a bucket: the project view checks ownership before each call. */
const BUCKET_METHODS = ['list', 'createFolder', 'putObject', 'extractZip', 'openObject', 'delete', 'pathOf'] as const;
type TBucketMethod = (typeof BUCKET_METHODS)[number];

/** The object store as one project sees it: its own buckets only. */
export type TProjectStore = Pick<LocalObjectStore, TBucketMethod> & {
  listBuckets(): TBucket[];
  createBucket(name: string): void;
};

export class BucketRegistry {
  constructor(
    private readonly db: TDatabase,
    private readonly store: LocalObjectStore,
    private readonly root: string,
  ) {}

  /** At start: bucket folders without an owner (made before projects existed) go to `projectId`; rows whose folder is gone are dropped. */
  reconcile(projectId: string): { adopted: string[]; dropped: string[] } {
    const folders = new Set(
      fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ZBucketNameSchema.safeParse(d.name).data === d.name)
        .map((d) => d.name),
    );
    const rows = new Set((this.db.prepare('SELECT name FROM buckets').all() as { name: string }[]).map((r) => r.name));
    const adopted = [...folders].filter((name) => !rows.has(name));
    const dropped = [...rows].filter((name) => !folders.has(name));
    this.db.transaction(() => {
      const insert = this.db.prepare('INSERT INTO buckets (name, project_id, created_at) VALUES (?, ?, ?)');
      for (const name of adopted) insert.run(name, projectId, Math.round(fs.statSync(path.join(this.root, name)).birthtimeMs) || now());
      const remove = this.db.prepare('DELETE FROM buckets WHERE name = ?');
      for (const name of dropped) remove.run(name);
    })();
    return { adopted, dropped };
  }

  /** The project that owns `bucket`, if any. */
  ownerOf(bucket: string): string | undefined {
    return (this.db.prepare('SELECT project_id FROM buckets WHERE name = ?').get(bucket) as { project_id: string } | undefined)?.project_id;
  }

  /** Throws what a missing bucket would throw unless `projectId` owns `bucket`. */
  assertOwner(projectId: string, bucket: string): void {
    if (this.ownerOf(bucket) === projectId) return;
    if (!ZBucketNameSchema.safeParse(bucket).success) throw invalid('bucket', `"${bucket}" is not a valid bucket name.`);
    throw notFound(`Bucket ${bucket}`);
  }

  /** The store restricted to `projectId`'s buckets. */
  forProject(projectId: string): TProjectStore {
    const { store } = this;
    const guarded = Object.fromEntries(
      BUCKET_METHODS.map((method) => [
        method,
        (bucket: string, ...rest: unknown[]) => {
          this.assertOwner(projectId, bucket);
          return (store[method] as (...args: unknown[]) => unknown).call(store, bucket, ...rest);
        },
      ]),
    ) as Pick<LocalObjectStore, TBucketMethod>;
    return {
      ...guarded,
      listBuckets: () => this.listBuckets(projectId),
      createBucket: (name) => this.createBucket(projectId, name),
      delete: (bucket, key) => {
        guarded.delete(bucket, key);
        // The empty key deletes the (empty) bucket itself: the name becomes free again.
        if (key === '') this.db.prepare('DELETE FROM buckets WHERE name = ?').run(bucket);
      },
    };
  }

  private listBuckets(projectId: string): TBucket[] {
    const rows = this.db.prepare('SELECT name, created_at FROM buckets WHERE project_id = ? ORDER BY name').all(projectId) as { name: string; created_at: number }[];
    return rows.filter((r) => fs.existsSync(path.join(this.root, r.name))).map((r) => ({ name: r.name, createdAt: r.created_at }));
  }

  private createBucket(projectId: string, raw: string): void {
    const parsed = ZBucketNameSchema.safeParse(raw);
    if (!parsed.success) throw invalid('name', parsed.error.issues[0].message);
    const name = parsed.data;
    if (this.ownerOf(name)) throw new CoreError('CONFLICT', `Bucket ${name} already exists.`, 'name');
    this.store.createBucket(name);
    try {
      this.db.prepare('INSERT INTO buckets (name, project_id, created_at) VALUES (?, ?, ?)').run(name, projectId, now());
    } catch (e) {
      fs.rmdirSync(path.join(this.root, name));
      throw e;
    }
  }
}
