/** AI applications: creation from object storage with an asynchronous import, listing, details, deletion. */
import fs from 'node:fs';
import path from 'node:path';
import type { TApiSpec, TAppDetail, TAppGroup, TAppStatus, TAppSummary, TCreateApp } from '../../contracts/apps';
import { ZCreateAppSchema } from '../../contracts/apps';
import { ZDescriptionSchema } from '../../contracts/names';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { LocalObjectStore } from '../storage/local-object-store';
import { parseObsUri } from '../storage/obs-uri';
import type { EventLog } from '../telemetry/events';
import { validateModelConfig, type TConfigIssue, type TModelConfig } from './config-schema';
import { ENGINES, findEngine } from './engines';
import { toApiSpecs } from './api-specs';
import { directorySize, largestFile, locateModelDir } from './package-layout';

const MAX_MODEL_FILE = 5 * 1024 ** 3;

type AppRow = {
  id: string; project_id: string; name: string; version: string; status: TAppStatus; description: string;
  deploy_types: string; docs: string; source_type: 'obs'; source_uri: string; model_type: string; runtime: string;
  model_algorithm: string; config: string | null; size_bytes: number | null; store_path: string | null; created_at: number;
};

export type TPackageInspection = {
  modelType: string;
  runtime: string;
  runtimes: { name: string; status?: string }[];
  modelAlgorithm: string;
  apis: TApiSpec[];
  issues: TConfigIssue[];
};

export class AppRegistry {
  constructor(
    private readonly deps: { db: TDatabase; store: LocalObjectStore; events: EventLog; bus: DomainBus; modelsDir: string },
  ) {}

  /** Reads a package without importing it: engine, runtime, apis and config.json issues (for the create form). */
  inspect(sourceUri: string): TPackageInspection {
    const { config, raw, issues } = this.readConfig(this.modelDirOf(sourceUri));
    const modelType = String(raw?.model_type ?? '');
    const engine = findEngine(modelType);
    return {
      modelType,
      runtime: String(raw?.runtime ?? engine?.defaultRuntime ?? ''),
      runtimes: engine?.runtimes ?? [],
      modelAlgorithm: String(raw?.model_algorithm ?? ''),
      apis: config ? toApiSpecs(config) : [],
      issues,
    };
  }

  /** Validates the form, records the version as `importing` and imports it in the background. */
  create(projectId: string, input: TCreateApp): TAppSummary {
    const parsed = ZCreateAppSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(String(issue.path[0] ?? 'form'), issue.message);
    }
    const app = parsed.data;
    const { db } = this.deps;
    if (db.prepare('SELECT 1 FROM apps WHERE project_id = ? AND name = ? AND version = ?').get(projectId, app.name, app.version)) {
      throw new CoreError('CONFLICT', `AI application ${app.name} already has version ${app.version}.`, 'version');
    }
    const modelDir = this.modelDirOf(app.sourceUri);
    if (app.runtime) {
      const engine = findEngine(String(this.readConfig(modelDir).raw?.model_type ?? ''));
      if (engine && !engine.runtimes.some((r) => r.name === app.runtime)) throw invalid('runtime', `${app.runtime} is not a runtime of ${engine.modelType}.`);
    }
    const id = newId();
    db.prepare(
      `INSERT INTO apps (id, project_id, name, version, status, description, deploy_types, docs, source_type, source_uri, created_at)
       VALUES (?, ?, ?, ?, 'importing', ?, ?, ?, 'obs', ?, ?)`,
    ).run(id, projectId, app.name, app.version, app.description, JSON.stringify(app.deployTypes), JSON.stringify(app.docs), app.sourceUri, now());
    this.deps.events.record(projectId, 'app', id, 'A1');
    this.changed(projectId, id);
    setImmediate(() => this.runImport(projectId, id, modelDir, app.runtime));
    return this.summary(projectId, id);
  }

  private runImport(projectId: string, id: string, modelDir: string, runtimeOverride?: string): void {
    const { db, events } = this.deps;
    const target = path.join(this.deps.modelsDir, id, 'model');
    try {
      const { config, issues } = this.readConfig(modelDir);
      if (!config) {
        for (const issue of issues) events.record(projectId, 'app', id, issue.event, `${issue.field} (${issue.message})`);
        return this.fail(projectId, id);
      }
      fs.cpSync(modelDir, target, { recursive: true });
      events.record(projectId, 'app', id, 'A26');
      const tooLarge = largestFile(target);
      if (tooLarge.size > MAX_MODEL_FILE) {
        events.record(projectId, 'app', id, 'A41', path.relative(target, tooLarge.file));
        return this.fail(projectId, id, target);
      }
      const size = directorySize(target);
      events.record(projectId, 'app', id, 'A27');
      const engine = findEngine(config.model_type);
      db.prepare(
        `UPDATE apps SET status = 'normal', model_type = ?, runtime = ?, model_algorithm = ?, config = ?, size_bytes = ?, store_path = ? WHERE id = ?`,
      ).run(config.model_type, runtimeOverride || config.runtime || engine?.defaultRuntime || '', config.model_algorithm, JSON.stringify(config), size, target, id);
      events.record(projectId, 'app', id, 'A25');
      this.changed(projectId, id);
    } catch (e) {
      console.error(`[registry] import of ${id} failed:`, e);
      this.fail(projectId, id, target);
    }
  }

  private fail(projectId: string, id: string, copied?: string): void {
    if (copied) fs.rmSync(path.dirname(copied), { recursive: true, force: true });
    this.deps.db.prepare(`UPDATE apps SET status = 'failed' WHERE id = ?`).run(id);
    this.deps.events.record(projectId, 'app', id, 'A28');
    this.changed(projectId, id);
  }

  /** AI applications grouped by name, newest version first (guide §2.3). */
  list(projectId: string): TAppGroup[] {
    const rows = this.deps.db.prepare('SELECT * FROM apps WHERE project_id = ? ORDER BY created_at DESC').all(projectId) as AppRow[];
    const groups = new Map<string, TAppSummary[]>();
    for (const row of rows) groups.set(row.name, [...(groups.get(row.name) ?? []), toSummary(row)]);
    return [...groups.entries()].map(([name, versions]) => ({ name, latest: versions[0], versions }));
  }

  summary(projectId: string, id: string): TAppSummary {
    return toSummary(this.row(projectId, id));
  }

  get(projectId: string, id: string): TAppDetail {
    const row = this.row(projectId, id);
    const config = row.config ? (JSON.parse(row.config) as TModelConfig) : undefined;
    const services = this.deps.db
      .prepare('SELECT id, name, status FROM services WHERE app_id = ? ORDER BY created_at DESC')
      .all(id) as { id: string; name: string; status: string }[];
    return {
      ...toSummary(row),
      apis: config ? toApiSpecs(config) : [],
      metrics: (config?.metrics ?? {}) as Record<string, number>,
      dependencies: config?.dependencies ?? [],
      docs: JSON.parse(row.docs),
      requestMode: 'sync',
      startCommand: findEngine(row.model_type)?.defaultStartCommand ?? '',
      services,
    };
  }

  /** The imported model folder and config of a `normal` version, for deployment. */
  deployable(projectId: string, id: string): { row: TAppSummary; modelDir: string; config: TModelConfig } {
    const row = this.row(projectId, id);
    if (row.status !== 'normal' || !row.store_path || !row.config) {
      throw new CoreError('FAILED_PRECONDITION', `AI application ${row.name} ${row.version} is ${row.status}; only normal versions can be deployed.`, 'appId');
    }
    return { row: toSummary(row), modelDir: row.store_path, config: JSON.parse(row.config) };
  }

  /** Guide §2.4: the description is editable and the change is an event (A13). */
  updateDescription(projectId: string, id: string, description: string): TAppSummary {
    const parsed = ZDescriptionSchema.safeParse(description);
    if (!parsed.success) throw invalid('description', parsed.error.issues[0].message);
    this.row(projectId, id);
    this.deps.db.prepare('UPDATE apps SET description = ? WHERE id = ?').run(parsed.data, id);
    this.deps.events.record(projectId, 'app', id, 'A13');
    this.changed(projectId, id);
    return this.summary(projectId, id);
  }

  /** Guide §2.5: refused while a service is deployed from the version. */
  delete(projectId: string, id: string): void {
    const row = this.row(projectId, id);
    const inUse = this.deps.db.prepare('SELECT name FROM services WHERE app_id = ?').all(id) as { name: string }[];
    if (inUse.length > 0) {
      throw new CoreError('FAILED_PRECONDITION', `Delete the services deployed from this version first: ${inUse.map((s) => s.name).join(', ')}.`);
    }
    if (row.status === 'importing') throw new CoreError('FAILED_PRECONDITION', 'Wait until the import finishes.');
    this.deps.db.transaction(() => {
      this.deps.db.prepare(`DELETE FROM events WHERE resource_type = 'app' AND resource_id = ?`).run(id);
      this.deps.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
    })();
    fs.rmSync(path.join(this.deps.modelsDir, id), { recursive: true, force: true });
    this.changed(projectId, id);
  }

  /** Owner check used by adapters before they touch an AI application by id. */
  projectOf(id: string): string | undefined {
    return (this.deps.db.prepare('SELECT project_id FROM apps WHERE id = ?').get(id) as { project_id: string } | undefined)?.project_id;
  }

  engines() {
    return ENGINES;
  }

  private row(projectId: string, id: string): AppRow {
    const row = this.deps.db.prepare('SELECT * FROM apps WHERE id = ? AND project_id = ?').get(id, projectId) as AppRow | undefined;
    if (!row) throw notFound(`AI application ${id}`);
    return row;
  }

  private modelDirOf(sourceUri: string): string {
    if (/\s/.test(sourceUri)) throw invalid('sourceUri', 'The model path must not contain spaces.');
    const { bucket, key } = parseObsUri(sourceUri, 'sourceUri');
    return locateModelDir(this.deps.store.pathOf(bucket, key));
  }

  private readConfig(modelDir: string): { config?: TModelConfig; raw?: Record<string, unknown>; issues: TConfigIssue[] } {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
    } catch (e) {
      return { issues: [{ field: 'JSON syntax', message: (e as Error).message, event: 'A8' }] };
    }
    const result = validateModelConfig(raw);
    return { ...result, raw: raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined };
  }

  private changed(projectId: string, appId: string) {
    this.deps.bus.emit('app.changed', { projectId, appId });
  }
}

function toSummary(r: AppRow): TAppSummary {
  return {
    id: r.id, name: r.name, version: r.version, status: r.status, description: r.description,
    deployTypes: JSON.parse(r.deploy_types), sourceType: r.source_type, sourceUri: r.source_uri, modelType: r.model_type,
    runtime: r.runtime, modelAlgorithm: r.model_algorithm, sizeBytes: r.size_bytes, createdAt: r.created_at,
  };
}
