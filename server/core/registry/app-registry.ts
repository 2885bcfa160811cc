/** AI applications: creation from object storage with an asynchronous import, listing, details, deletion. */
import fs from 'node:fs';
import path from 'node:path';
import type { TRequestMode } from '../../contracts/apps';
import type { TApiSpec, TAppContainer, TAppDetail, TAppGroup, TAppStatus, TAppSummary, TCreateApp, TCreateImageApp, TMetrics } from '../../contracts/apps';
import { ZAppDocsSchema, ZAppMetricsSchema, ZCreateAppSchema, ZCreateImageAppSchema, type TAppMetricsInput } from '../../contracts/apps';
import { ZDescriptionSchema } from '../../contracts/names';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { BucketRegistry } from '../storage/bucket-registry';
import type { LocalObjectStore } from '../storage/local-object-store';
import { parseObsUri } from '../storage/obs-uri';
import type { EventLog } from '../telemetry/events';
import { toApiSpecs } from './api-specs';
import { readModelConfig } from './config-file';
import { ZModelConfigSchema, type TConfigIssue, type TModelConfig } from './config-schema';
import { ENGINES, findEngine } from './engines';
import { hostPythonVersion } from './host-python';
import { truncateDecimal } from './metric-text';
import { ModelImporter } from './model-import';
import { locateModelDir } from './package-layout';

type AppRow = {
  id: string; project_id: string; name: string; version: string; status: TAppStatus; description: string;
  deploy_types: string; docs: string; source_type: 'obs' | 'image'; source_uri: string; model_type: string; runtime: string;
  model_algorithm: string; config: string | null; size_bytes: number | null; store_path: string | null; created_at: number;
  container: string | null; build_log: string | null; request_mode: TRequestMode;
};

export type TPackageInspection = {
  modelType: string;
  runtime: string;
  runtimes: { name: string; status?: string }[];
  modelAlgorithm: string;
  apis: TApiSpec[];
  issues: TConfigIssue[];
};

/** Finds `<repository>:<tag>` in a project's image repository; throws ImageSourceError (events A7/A19). */
export type TImageResolver = (projectId: string, repository: string, tag: string) => Promise<{ reference: string; digest: string; sizeBytes: number | null }>;

export class AppRegistry {
  constructor(
    private readonly deps: {
      db: TDatabase; store: LocalObjectStore; buckets: BucketRegistry; events: EventLog; bus: DomainBus; modelsDir: string;
      /** The interpreter the process runtime starts instances with (core option `python`). */
      python: string;
      resolveImage?: TImageResolver;
    },
  ) {
    this.importer = new ModelImporter({
      db: deps.db, events: deps.events, modelsDir: deps.modelsDir, changed: (p, id) => this.changed(p, id),
      resolveImage: deps.resolveImage && ((projectId, location) => this.resolveSwrLocation(projectId, location)),
    });
  }

  private readonly importer: ModelImporter;

  /** Anvil start: fails the versions whose import a previous Anvil process left unfinished (event X10, then A28). */
  recover(): number {
    return this.importer.failInterrupted();
  }

  /** Reads a package without importing it: engine, runtime, apis and config.json issues (for the create form). */
  inspect(projectId: string, sourceUri: string): TPackageInspection {
    const { config, raw, issues } = readModelConfig(this.modelDirOf(projectId, sourceUri));
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

  /** Validates the form, records the version as `building` and imports it in the background. */
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
    const modelDir = this.modelDirOf(projectId, app.sourceUri);
    if (app.runtime) {
      const engine = findEngine(String(readModelConfig(modelDir).raw?.model_type ?? ''));
      if (engine && !engine.runtimes.some((r) => r.name === app.runtime)) throw invalid('runtime', `${app.runtime} is not a runtime of ${engine.modelType}.`);
    }
    const id = newId();
    db.prepare(
      `INSERT INTO apps (id, project_id, name, version, status, description, deploy_types, docs, source_type, source_uri, request_mode, created_at)
       VALUES (?, ?, ?, ?, 'building', ?, ?, ?, 'obs', ?, ?, ?)`,
    ).run(id, projectId, app.name, app.version, app.description, JSON.stringify(app.deployTypes), JSON.stringify(app.docs), app.sourceUri, app.requestMode, now());
    this.deps.events.record(projectId, 'app', id, 'A1');
    this.changed(projectId, id);
    setImmediate(() => void this.importer.run({ projectId, appId: id, modelDir, runtimeOverride: app.runtime }));
    return this.summary(projectId, id);
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
    const container = row.container ? (JSON.parse(row.container) as TAppContainer) : null;
    const services = this.deps.db
      .prepare(
        `SELECT s.id, s.name, s.status FROM services s
         WHERE s.id IN (SELECT service_id FROM service_versions WHERE app_id = ?) ORDER BY s.created_at DESC`,
      )
      .all(id) as { id: string; name: string; status: string }[];
    return {
      ...toSummary(row),
      apis: config ? toApiSpecs(config) : [],
      metrics: metricsOf(config),
      dependencies: config?.dependencies ?? [],
      docs: JSON.parse(row.docs),
      startCommand: container ? (container.command ?? 'the image\'s own command') : `${this.deps.python} anvil_model_server.py`,
      encryption: 'none',
      runtimeInfo: { requested: row.runtime, actual: container ? 'the image' : hostPythonVersion(this.deps.python) },
      services,
      container,
      buildLog: row.build_log,
    };
  }

  /**
   * Guide §2.2.4: an AI application from an image in the project's repository. The form is checked
   * (field errors, nothing recorded); then the version is `building` while the image is looked up
   * (A7/A19 and A28 when it is not there; A20 and A25 when it is).
   */
  createFromImage(projectId: string, input: TCreateImageApp): TAppSummary {
    const parsed = ZCreateImageAppSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'form', issue.message);
    }
    const app = parsed.data;
    const { db } = this.deps;
    if (!this.deps.resolveImage) throw new CoreError('UNAVAILABLE', 'The image repository is not available on this Anvil.');
    if (db.prepare('SELECT 1 FROM apps WHERE project_id = ? AND name = ? AND version = ?').get(projectId, app.name, app.version)) {
      throw new CoreError('CONFLICT', `AI application ${app.name} already has version ${app.version}.`, 'version');
    }
    let apis: unknown;
    try {
      apis = app.apis?.trim() ? JSON.parse(app.apis) : [{ url: '/', method: 'POST', request: { 'Content-type': 'application/json' }, response: { 'Content-type': 'application/json' } }];
    } catch (e) {
      throw invalid('apis', `The apis definition is not valid JSON: ${(e as Error).message}`);
    }
    const config = ZModelConfigSchema.safeParse({ model_algorithm: 'image', model_type: 'Image', swr_location: app.image, apis });
    if (!config.success) {
      const issue = config.error.issues[0];
      throw invalid('apis', `${issue.path.slice(1).join('.') || 'apis'} ${issue.message}`.trim());
    }
    const id = newId();
    const modelDir = path.join(this.deps.modelsDir, id, 'model');
    const container: TAppContainer = {
      image: '', protocol: app.protocol, port: app.port, ...(app.startCommand?.trim() ? { command: app.startCommand.trim() } : {}),
      probes: app.probes,
    };
    db.prepare(
      `INSERT INTO apps (id, project_id, name, version, status, description, deploy_types, docs, source_type, source_uri, model_type, model_algorithm, request_mode, created_at)
       VALUES (?, ?, ?, ?, 'building', ?, ?, ?, 'image', ?, 'Image', 'image', ?, ?)`,
    ).run(id, projectId, app.name, app.version, app.description, JSON.stringify(app.deployTypes), JSON.stringify(app.docs), app.image, app.requestMode, now());
    this.deps.events.record(projectId, 'app', id, 'A1');
    this.changed(projectId, id);
    const [repository, tag] = splitImage(app.image);
    const { metrics: _metrics, ...imageConfig } = config.data;
    setImmediate(() => void this.finishImageApp(projectId, id, { repository, tag, container, config: imageConfig, modelDir }));
    return this.summary(projectId, id);
  }

  private async finishImageApp(
    projectId: string, id: string, job: { repository: string; tag: string; container: TAppContainer; config: TModelConfig; modelDir: string },
  ): Promise<void> {
    const { db, events } = this.deps;
    try {
      const image = await this.deps.resolveImage!(projectId, job.repository, job.tag);
      events.record(projectId, 'app', id, 'A20');
      // The version's folder holds its config.json (apis), as for packages; the image holds the code.
      await fs.promises.mkdir(job.modelDir, { recursive: true });
      await fs.promises.writeFile(path.join(job.modelDir, 'config.json'), JSON.stringify(job.config, null, 2));
      db.prepare(`UPDATE apps SET status = 'normal', config = ?, container = ?, size_bytes = ?, store_path = ? WHERE id = ? AND status = 'building'`)
        .run(JSON.stringify(job.config), JSON.stringify({ ...job.container, image: image.reference }), image.sizeBytes, job.modelDir, id);
      events.record(projectId, 'app', id, 'A25');
    } catch (e) {
      const event = (e as { event?: { code: 'A7' | 'A19'; args: string[] } }).event;
      if (event) events.record(projectId, 'app', id, event.code, ...event.args);
      else events.record(projectId, 'app', id, 'X11', e instanceof Error ? e.message : String(e));
      fs.rmSync(path.join(this.deps.modelsDir, id), { recursive: true, force: true });
      db.prepare(`UPDATE apps SET status = 'failed' WHERE id = ?`).run(id);
      events.record(projectId, 'app', id, 'A28');
    }
    this.changed(projectId, id);
  }

  /**
   * config.json `swr_location` of an Image package: `<repository>:<tag>` in the project's repository,
   * optionally written `[<registry host>/]<project>/<repository>:<tag>`. Another project's image is
   * not found (GUIDE-INDEX §A 5: it would need an image copy).
   */
  private async resolveSwrLocation(projectId: string, location: string): Promise<{ reference: string; sizeBytes: number | null }> {
    const projectName = (this.deps.db.prepare('SELECT name FROM projects WHERE id = ?').get(projectId) as { name: string } | undefined)?.name;
    const parts = location.trim().split('/');
    if (parts.length > 1 && /[.:]/.test(parts[0])) parts.shift();
    if (parts.length > 1 && parts[0] === projectName) parts.shift();
    const [repository, tag] = splitImage(parts.join('/'));
    return this.deps.resolveImage!(projectId, repository || location, tag || 'latest');
  }

  /** The imported model folder and config of a `normal` version, for deployment. */
  deployable(projectId: string, id: string): { row: TAppSummary; modelDir: string; config: TModelConfig; container?: TAppContainer } {
    const row = this.row(projectId, id);
    if (row.status !== 'normal' || !row.store_path || !row.config) {
      throw new CoreError('FAILED_PRECONDITION', `AI application ${row.name} ${row.version} is ${row.status}; only normal versions can be deployed.`, 'appId');
    }
    return {
      row: toSummary(row), modelDir: row.store_path, config: JSON.parse(row.config),
      ...(row.container ? { container: JSON.parse(row.container) as TAppContainer } : {}),
    };
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

  /**
   * Guide §2.4: the documentation links (up to 3) and the model precision (table 4-2: f1, recall,
   * precision, accuracy, each kept to 17 decimal places) are editable on the application's page.
   * An empty precision value removes it.
   */
  updateDetails(projectId: string, id: string, input: { docs?: unknown; metrics?: TAppMetricsInput }): TAppSummary {
    const row = this.row(projectId, id);
    const docs = input.docs === undefined ? undefined : ZAppDocsSchema.safeParse(input.docs);
    if (docs && !docs.success) throw invalid(['docs', ...docs.error.issues[0].path].join('.'), docs.error.issues[0].message);
    const metrics = input.metrics === undefined ? undefined : ZAppMetricsSchema.safeParse(input.metrics);
    if (metrics && !metrics.success) throw invalid(['metrics', ...metrics.error.issues[0].path].join('.'), metrics.error.issues[0].message);
    if (metrics && !row.config) throw new CoreError('FAILED_PRECONDITION', 'The application has no config.json to hold its precision yet; wait until the import finishes.');
    this.deps.db.transaction(() => {
      if (docs) this.deps.db.prepare('UPDATE apps SET docs = ? WHERE id = ?').run(JSON.stringify(docs.data), id);
      if (metrics) {
        const config = JSON.parse(row.config!) as TModelConfig & { metrics?: Record<string, string> };
        const next: Record<string, string> = { ...((config.metrics ?? {}) as Record<string, string>) };
        for (const [key, text] of Object.entries(metrics.data)) {
          if (text === undefined) continue;
          if (text === '') delete next[key];
          else next[key] = truncateDecimal(text);
        }
        this.deps.db.prepare('UPDATE apps SET config = ? WHERE id = ?').run(JSON.stringify({ ...config, metrics: next }), id);
      }
    })();
    this.changed(projectId, id);
    return this.summary(projectId, id);
  }

  /** Guide §2.5: deletes one version; refused while a service is deployed from it. */
  delete(projectId: string, id: string): void {
    const row = this.row(projectId, id);
    const inUse = this.deps.db
      .prepare('SELECT DISTINCT s.name FROM services s JOIN service_versions v ON v.service_id = s.id WHERE v.app_id = ?')
      .all(id) as { name: string }[];
    if (inUse.length > 0) {
      throw new CoreError('FAILED_PRECONDITION', `Delete the services deployed from this version first: ${inUse.map((s) => s.name).join(', ')}.`);
    }
    if (row.status === 'building') throw new CoreError('FAILED_PRECONDITION', 'Wait until the import finishes.');
    this.remove(projectId, [id]);
  }

  /** Guide §2.5: deletes every version of an application; refused while any of them has a deployed service. */
  deleteApp(projectId: string, name: string): { deletedVersions: string[] } {
    const { versions, problem } = this.deletable(projectId, name);
    if (problem) throw new CoreError('FAILED_PRECONDITION', problem);
    this.remove(projectId, versions.map((v) => v.id));
    return { deletedVersions: versions.map((v) => v.version) };
  }

  /** Guide §2.5 (bulk): deletes several applications with all their versions, or none when one of them cannot go. */
  deleteApps(projectId: string, names: readonly string[]): { deleted: string[] } {
    const unique = [...new Set(names)];
    if (unique.length === 0) throw invalid('names', 'Choose at least one AI application.');
    const checked = unique.map((name) => ({ name, ...this.deletable(projectId, name) }));
    const problems = checked.filter((c) => c.problem).map((c) => c.problem);
    if (problems.length > 0) throw new CoreError('FAILED_PRECONDITION', `Nothing was deleted. ${problems.join(' ')}`);
    this.remove(projectId, checked.flatMap((c) => c.versions.map((v) => v.id)));
    return { deleted: unique };
  }

  /** An application's versions and, when it cannot be deleted now, why. */
  private deletable(projectId: string, name: string): { versions: { id: string; version: string }[]; problem?: string } {
    const versions = this.deps.db
      .prepare('SELECT id, version, status FROM apps WHERE project_id = ? AND name = ? ORDER BY created_at')
      .all(projectId, name) as { id: string; version: string; status: TAppStatus }[];
    if (versions.length === 0) throw notFound(`AI application ${name}`);
    const inUse = this.deps.db
      .prepare(
        `SELECT s.name, a.version FROM services s JOIN service_versions v ON v.service_id = s.id JOIN apps a ON a.id = v.app_id
         WHERE a.project_id = ? AND a.name = ? ORDER BY s.name, a.version`,
      )
      .all(projectId, name) as { name: string; version: string }[];
    if (inUse.length > 0) {
      return { versions, problem: `Delete the services deployed from ${name} first: ${inUse.map((s) => `${s.name} (version ${s.version})`).join(', ')}.` };
    }
    const building = versions.find((v) => v.status === 'building');
    if (building) return { versions, problem: `Wait until the import of version ${building.version} of ${name} finishes.` };
    return { versions };
  }

  private remove(projectId: string, ids: string[]): void {
    const { db } = this.deps;
    db.transaction(() => {
      for (const id of ids) {
        db.prepare(`DELETE FROM events WHERE resource_type = 'app' AND resource_id = ?`).run(id);
        db.prepare('DELETE FROM apps WHERE id = ?').run(id);
      }
    })();
    for (const id of ids) {
      fs.rmSync(path.join(this.deps.modelsDir, id), { recursive: true, force: true });
      this.changed(projectId, id);
    }
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

  private modelDirOf(projectId: string, sourceUri: string): string {
    if (/\s/.test(sourceUri)) throw invalid('sourceUri', 'The model path must not contain spaces.');
    const { bucket, key } = parseObsUri(sourceUri, 'sourceUri');
    // Another project's bucket looks like a missing one (see bucket-registry.ts).
    if (this.deps.buckets.ownerOf(bucket) !== projectId) throw invalid('sourceUri', 'The chosen model directory does not exist.');
    return locateModelDir(this.deps.store.pathOf(bucket, key));
  }

  private changed(projectId: string, appId: string) {
    this.deps.bus.emit('app.changed', { projectId, appId });
  }
}

/** `repository:tag` (the tag is after the last colon). */
function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return [image.slice(0, at), image.slice(at + 1)];
}

function toSummary(r: AppRow): TAppSummary {
  return {
    id: r.id, name: r.name, version: r.version, status: r.status, description: r.description,
    deployTypes: JSON.parse(r.deploy_types), sourceType: r.source_type, sourceUri: r.source_uri, modelType: r.model_type,
    runtime: r.runtime, modelAlgorithm: r.model_algorithm, sizeBytes: r.size_bytes, createdAt: r.created_at,
    requestMode: r.request_mode,
  };
}

/** Metrics as text; versions imported before texts were kept stored them as numbers. */
function metricsOf(config: TModelConfig | undefined): TMetrics {
  const stored = (config?.metrics ?? {}) as Record<string, string | number>;
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, typeof v === 'number' ? truncateDecimal(String(v)) : v]));
}
