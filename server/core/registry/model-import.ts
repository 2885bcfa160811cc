/**
 * The background half of an AI-application import (guide §2.2.3, §2.6): config.json, size limit,
 * copy, size. Every step is an event; every failure says why before the final A28, in the guide's
 * words where it has them (A3/A4/A8, A29, A41) and with Anvil's reason otherwise (X10-X12).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TDatabase } from '../db/database';
import type { EventLog } from '../telemetry/events';
import { JSON_SYNTAX_FIELD, readModelConfig } from './config-file';
import type { TConfigIssue } from './config-schema';
import { findEngine } from './engines';
import { directorySize, largestFile } from './package-layout';

/** Guide §2.2: a single model file over 5 GB cannot be imported without dynamic loading (event A41). */
export const MAX_MODEL_FILE_BYTES = 5 * 1024 ** 3;

export type TImportDeps = {
  db: TDatabase;
  events: EventLog;
  modelsDir: string;
  changed: (projectId: string, appId: string) => void;
  /** A `model_type: Image` package's `swr_location` in the project's repository (events A7/A19 when it is not there). */
  resolveImage?: (projectId: string, swrLocation: string) => Promise<{ reference: string; sizeBytes: number | null }>;
};

export type TImportJob = { projectId: string; appId: string; modelDir: string; runtimeOverride?: string };

/** A failure whose events are already recorded; only A28 is left to write. */
class ReportedFailure extends Error {}

export class ModelImporter {
  constructor(private readonly deps: TImportDeps) {}

  /** Imports one version; never rejects (a failure becomes the version's events and status). */
  async run(job: TImportJob): Promise<void> {
    try {
      await this.importVersion(job);
    } catch (e) {
      try {
        if (!(e instanceof ReportedFailure)) this.record(job, 'X11', (e as Error).message);
        this.fail(job.projectId, job.appId);
      } catch (cannotRecord) {
        // The database is gone (Anvil is closing); `failInterrupted` settles the version at the next start.
        console.error(`[registry] import of ${job.appId} failed and could not be recorded:`, e, cannotRecord);
      }
    }
  }

  /** Anvil start: a version left `building` by a stopped Anvil can never finish; fail it with the reason. */
  failInterrupted(): number {
    const rows = this.deps.db.prepare(`SELECT id, project_id FROM apps WHERE status = 'building'`).all() as { id: string; project_id: string }[];
    for (const row of rows) {
      this.deps.events.record(row.project_id, 'app', row.id, 'X10');
      this.fail(row.project_id, row.id);
    }
    return rows.length;
  }

  private async importVersion(job: TImportJob): Promise<void> {
    const { config, issues } = readModelConfig(job.modelDir);
    if (!config) {
      for (const issue of issues) this.recordIssue(job, issue);
      throw new ReportedFailure();
    }
    const container = config.model_type === 'Image' ? await this.resolveImage(job, config.swr_location ?? '') : undefined;
    // Checked on the source, so a model that cannot be imported is never copied.
    const largest = largestFile(job.modelDir);
    if (largest.size > MAX_MODEL_FILE_BYTES) {
      this.record(job, 'A41', path.relative(job.modelDir, largest.file));
      throw new ReportedFailure();
    }
    const target = path.join(this.deps.modelsDir, job.appId, 'model');
    try {
      await fs.promises.cp(job.modelDir, target, { recursive: true, errorOnExist: true, force: false });
    } catch (e) {
      this.record(job, 'A29');
      this.record(job, 'X11', (e as Error).message);
      throw new ReportedFailure();
    }
    this.record(job, 'A26');
    const size = container?.sizeBytes ?? directorySize(target);
    this.record(job, 'A27');
    const runtime = job.runtimeOverride || config.runtime || findEngine(config.model_type)?.defaultRuntime || '';
    const updated = this.deps.db
      .prepare(
        `UPDATE apps SET status = 'normal', model_type = ?, runtime = ?, model_algorithm = ?, config = ?, size_bytes = ?, store_path = ?, container = ?
         WHERE id = ? AND status = 'building'`,
      )
      .run(config.model_type, runtime, config.model_algorithm, JSON.stringify(config), size, target,
        container ? JSON.stringify({ image: container.reference, protocol: 'HTTP', port: 8080 }) : null, job.appId);
    if (updated.changes === 0) throw new Error('the version was removed while it was being imported');
    this.record(job, 'A25');
    this.deps.changed(job.projectId, job.appId);
  }

  /** Guide §2.2.4: the image a `model_type: Image` package names must be in the project's repository. */
  private async resolveImage(job: TImportJob, location: string): Promise<{ reference: string; sizeBytes: number | null }> {
    try {
      if (!this.deps.resolveImage) throw new Error('the image repository is not available');
      const found = await this.deps.resolveImage(job.projectId, location);
      this.record(job, 'A20');
      return found;
    } catch (e) {
      const event = (e as { event?: { code: 'A7' | 'A19'; args: string[] } }).event;
      if (event) this.record(job, event.code, ...event.args);
      else {
        this.record(job, 'A19');
        this.record(job, 'X11', (e as Error).message);
      }
      throw new ReportedFailure();
    }
  }

  /** A8 names the field as the guide words it; the reason follows in X12 (or X11 for a syntax error). */
  private recordIssue(job: TImportJob, issue: TConfigIssue): void {
    if (issue.event === 'A8') {
      this.record(job, 'A8', issue.field);
      if (issue.field === JSON_SYNTAX_FIELD) this.record(job, 'X11', issue.message);
      else this.record(job, 'X12', issue.field, issue.message);
    } else {
      this.record(job, issue.event);
    }
  }

  private record(job: TImportJob, code: Parameters<EventLog['record']>[3], ...args: string[]): void {
    this.deps.events.record(job.projectId, 'app', job.appId, code, ...args);
  }

  private fail(projectId: string, appId: string): void {
    fs.rmSync(path.join(this.deps.modelsDir, appId), { recursive: true, force: true });
    this.deps.db.prepare(`UPDATE apps SET status = 'failed' WHERE id = ?`).run(appId);
    this.deps.events.record(projectId, 'app', appId, 'A28');
    this.deps.changed(projectId, appId);
  }
}
