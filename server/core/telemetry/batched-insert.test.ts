/**
 * Buffered rows and a database that refuses them, on real SQLite files: a locked database keeps the
 * rows for the next write; a batch refused outright (a constraint) is dropped so it cannot block the
 * rows after it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BatchedInsert } from './batched-insert';

function scratch() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-batch-')), 'rows.db');
  const db = new Database(file, { timeout: 0 });
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY)');
  const batch = new BatchedInsert<[number]>(db, 'INSERT INTO rows (n) VALUES (?)', { delayMs: 60_000, tag: 'test', what: 'rows' });
  const count = () => (db.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n;
  return { file, db, batch, count };
}

describe('BatchedInsert', () => {
  it('keeps the rows of a write the locked database refused, and writes them with the next', () => {
    const { file, batch, count } = scratch();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    batch.push([1]);
    batch.push([2]);
    expect(() => batch.flush()).toThrow(/locked|busy/i);
    other.exec('COMMIT');
    batch.push([3]);
    batch.flush();
    expect(count()).toBe(3);
    batch.close();
  });

  it('drops a batch the database refuses outright, and writes the rows after it', () => {
    const { batch, count } = scratch();
    batch.push([1]);
    batch.flush();
    batch.push([1]);
    expect(() => batch.flush()).toThrow(/UNIQUE/);
    batch.push([2]);
    batch.flush();
    expect(count()).toBe(2);
    batch.close();
  });
});
