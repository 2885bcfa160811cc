/**
 * Training jobs (guide §2.2.1): the user's code from object storage runs with `python3 <boot file>
 * --<hyperparameter>=<value>… --train_url=<output folder>` on the process pool, confined like a
 * model instance (its user and group, a read-only copy of the code, the flavor's memory and CPU),
 * or in a container of Anvil's runtime image on a Docker pool's local engine.
 * Each run is a version of the job: what it writes to its output folder lands in object storage
 * under `<output>/V001/`, `V002/`, … once it exits with 0. Runs can be stopped; their log lines are
 * kept with the job. A run that Anvil's restart interrupted ends as failed (its process is reaped).
 */
import type { TTrainingJob, TTrainingJobInput, TTrainingLogLine, TTrainingRun, TTrainingStatus } from '../../contracts/training';
import { ZTrainingJobSchema } from '../../contracts/training';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { findFlavor } from '../deploy/flavors';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { RuntimeDriver } from '../runtime/runtime-driver';
import type { BucketRegistry } from '../storage/bucket-registry';
import { parseObsUri } from '../storage/obs-uri';
import { BatchedInsert } from '../telemetry/batched-insert';
import fs from 'node:fs';
import { copyOutput } from './output-copy';

type TSpec = Omit<TTrainingJob, 'id' | 'createdAt' | 'runs'>;
type TJobRow = { id: string; project_id: string; name: string; spec: string; created_at: number };
type TRunRow = {
  id: string; job_id: string; version: number; status: TTrainingStatus; status_reason: string; output_uri: string; pid: number | null;
  created_at: number; started_at: number | null; ended_at: number | null;
};

export const MAX_JOBS_PER_PROJECT = 100;
/** A run's log is kept up to this many lines of at most MAX_LOG_LINE_CHARS; past them one line says so. */
export const MAX_LOG_LINES_PER_RUN = 50_000;
export const MAX_LOG_LINE_CHARS = 4096;
/** The logs of a job's newest runs are kept; older runs' go when a run starts. */
export const LOGGED_RUNS = 10;
const ACTIVE: readonly TTrainingStatus[] = ['pending', 'running'];

export const versionName = (version: number) => `V${String(version).padStart(3, '0')}`;

export type TTrainingDeps = {
  db: TDatabase;
  bus: DomainBus;
  buckets: BucketRegistry;
  /** Where a job of a pool runs (pools/pool-registry.ts `jobDriver`). */
  jobDriver(poolId: string): { driver: RuntimeDriver; nodeId: string } | { reason: string };
};

export class TrainingJobs {
  /** Runs being stopped by the user: their end is `stopped`, not `failed`. */
  private readonly stopping = new Set<string>();
  /** What collecting each run's output gave (written before the run's exit is reported). */
  private readonly collected = new Map<string, { ok: true; files: number } | { ok: false; error: string }>();
  private readonly logCounts = new Map<string, number>();
  /** Where each started run runs. */
  private readonly drivers = new Map<string, RuntimeDriver>();
  /** Runs being launched (their code copied, their process or container started). */
  private readonly launches = new Map<string, Promise<void>>();
  /** Runs whose log lines are taken: from their launch to their end. */
  private readonly live = new Set<string>();
  /** Anvil is shutting down: runs that end now were ended by it; once closed, nothing is written. */
  private isClosing = false;
  private isClosed = false;
  private readonly logs: BatchedInsert<[string, number, string, string]>;

  constructor(private readonly deps: TTrainingDeps) {
    this.logs = new BatchedInsert(deps.db, 'INSERT INTO training_logs (run_id, ts, stream, line) VALUES (?, ?, ?, ?)', { delayMs: 200, tag: 'training', what: 'training log lines' });
  }

  /** At start: runs a previous Anvil left pending or running ended with it (the driver reaped their processes). */
  recover(): void {
    const t = now();
    this.deps.db
      .prepare("UPDATE training_runs SET status = 'failed', status_reason = 'Anvil stopped while the job ran.', ended_at = ? WHERE status IN ('pending', 'running')")
      .run(t);
  }

  list(projectId: string): TTrainingJob[] {
    const rows = this.deps.db.prepare('SELECT * FROM training_jobs WHERE project_id = ? ORDER BY created_at DESC').all(projectId) as TJobRow[];
    return rows.map((r) => this.toJob(r));
  }

  get(projectId: string, jobId: string): TTrainingJob {
    return this.toJob(this.row(projectId, jobId));
  }

  /** Creates a job and starts its first run (V001). */
  create(projectId: string, input: TTrainingJobInput): TTrainingJob {
    const spec = this.validate(projectId, input);
    const count = (this.deps.db.prepare('SELECT COUNT(*) AS n FROM training_jobs WHERE project_id = ?').get(projectId) as { n: number }).n;
    if (count >= MAX_JOBS_PER_PROJECT) throw new CoreError('QUOTA_EXCEEDED', `A project can have at most ${MAX_JOBS_PER_PROJECT} training jobs.`);
    const id = newId();
    this.deps.db.prepare('INSERT INTO training_jobs (id, project_id, name, spec, created_at) VALUES (?, ?, ?, ?, ?)').run(id, projectId, spec.name, JSON.stringify(spec), now());
    this.startRun(projectId, id, spec);
    return this.get(projectId, id);
  }

  /** Runs the job again as its next version; refused while a run is active. */
  rerun(projectId: string, jobId: string): TTrainingJob {
    const row = this.row(projectId, jobId);
    if (this.activeRun(jobId)) throw new CoreError('FAILED_PRECONDITION', 'The job is running; stop it or wait for it to end.');
    const spec = JSON.parse(row.spec) as TSpec;
    // The code may have been removed since the first run.
    this.checkCode(projectId, spec);
    this.startRun(projectId, jobId, spec);
    return this.get(projectId, jobId);
  }

  /** Stops the job's active run: `stopped`, with nothing written to object storage. */
  async stop(projectId: string, jobId: string): Promise<TTrainingJob> {
    this.row(projectId, jobId);
    const run = this.activeRun(jobId);
    if (!run) throw new CoreError('FAILED_PRECONDITION', 'The job has no run to stop.');
    this.stopping.add(run.id);
    // A run still being launched sees the request and ends itself; then what it started is stopped.
    await this.launches.get(run.id);
    await this.drivers.get(run.id)?.stop(run.id);
    this.finish(projectId, jobId, run.id, 'stopped', 'Stopped by the user.');
    this.stopping.delete(run.id);
    return this.get(projectId, jobId);
  }

  /** Deletes a job, its runs and logs; refused while it runs. Its output in object storage stays. */
  remove(projectId: string, jobId: string): void {
    this.row(projectId, jobId);
    if (this.activeRun(jobId)) throw new CoreError('FAILED_PRECONDITION', 'The job is running; stop it before deleting it.');
    const runs = new Set((this.deps.db.prepare('SELECT id FROM training_runs WHERE job_id = ?').all(jobId) as { id: string }[]).map((r) => r.id));
    this.logs.discard(([runId]) => runs.has(runId));
    this.deps.db.prepare('DELETE FROM training_jobs WHERE id = ?').run(jobId);
    this.deps.bus.emit('training.changed', { projectId, jobId });
  }

  /** A run's log lines after `afterId`, oldest first (the newest run's by default). */
  logLines(projectId: string, jobId: string, opts: { runId?: string; afterId?: number; limit?: number } = {}): TTrainingLogLine[] {
    const job = this.get(projectId, jobId);
    const runId = opts.runId ?? job.runs[0]?.id;
    if (!runId || !job.runs.some((r) => r.id === runId)) throw notFound(`Run ${opts.runId ?? ''} of job ${job.name}`);
    this.logs.flush();
    const rows = this.deps.db
      .prepare('SELECT id, run_id, ts, stream, line FROM training_logs WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(runId, opts.afterId ?? 0, Math.min(Math.max(opts.limit ?? 1000, 1), 5000)) as { id: number; run_id: string; ts: number; stream: 'stdout' | 'stderr'; line: string }[];
    return rows.map((r) => ({ id: r.id, runId: r.run_id, ts: r.ts, stream: r.stream, line: r.line }));
  }

  /** Anvil is about to stop every process: no run starts any more, the runs it ends fail with that reason. */
  async closing(): Promise<void> {
    this.isClosing = true;
    await Promise.all([...this.launches.values()]);
  }

  close(): void {
    this.isClosed = true;
    this.logs.close();
  }

  private validate(projectId: string, input: TTrainingJobInput): TSpec {
    const parsed = ZTrainingJobSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.join('.') || 'job', issue.message);
    }
    const spec = parsed.data;
    if (this.deps.db.prepare('SELECT 1 FROM training_jobs WHERE project_id = ? AND name = ?').get(projectId, spec.name)) {
      throw new CoreError('CONFLICT', `A training job named ${spec.name} already exists.`, 'name');
    }
    this.driverOf(spec.pool);
    const flavor = findFlavor(spec.flavor);
    if (!flavor) throw invalid('flavor', `Unknown specification ${spec.flavor}.`);
    if (flavor.gpu > 0) throw invalid('flavor', 'Training jobs run on CPU specifications: GPUs are not scheduled for jobs yet.');
    this.checkCode(projectId, spec);
    const out = parseObsUri(spec.outputDir, 'outputDir');
    this.deps.buckets.assertOwner(projectId, out.bucket);
    const code = parseObsUri(spec.codeDir, 'codeDir');
    if (out.bucket === code.bucket && isInside(folderKey(out.key), folderKey(code.key))) throw invalid('outputDir', 'The output folder must not be inside the code folder.');
    // Each job numbers its own runs: two jobs writing V001 into one folder would collide.
    for (const other of this.deps.db.prepare('SELECT name, spec FROM training_jobs WHERE project_id = ?').all(projectId) as { name: string; spec: string }[]) {
      const { outputDir } = JSON.parse(other.spec) as TSpec;
      const theirs = parseObsUri(outputDir);
      if (theirs.bucket === out.bucket && (isInside(folderKey(out.key), folderKey(theirs.key)) || isInside(folderKey(theirs.key), folderKey(out.key)))) {
        throw new CoreError('CONFLICT', `Training job ${other.name} saves its runs in ${outputDir}; choose a folder of its own.`, 'outputDir');
      }
    }
    return { ...spec, codeDir: `obs://${code.bucket}/${folderKey(code.key)}`, outputDir: `obs://${out.bucket}/${folderKey(out.key)}` };
  }

  /** The code folder exists in one of the project's buckets and holds the boot file. */
  private checkCode(projectId: string, spec: Pick<TSpec, 'codeDir' | 'bootFile'>): string {
    const code = parseObsUri(spec.codeDir, 'codeDir');
    this.deps.buckets.assertOwner(projectId, code.bucket);
    const dir = this.deps.buckets.forProject(projectId).pathOf(code.bucket, code.key);
    if (!isDirectory(dir)) throw invalid('codeDir', `${spec.codeDir} is not a folder in object storage.`);
    const boot = this.deps.buckets.forProject(projectId).pathOf(code.bucket, `${folderKey(code.key)}${spec.bootFile}`);
    if (!isFile(boot)) throw invalid('bootFile', `${spec.bootFile} is not in ${spec.codeDir}.`);
    return dir;
  }

  private driverOf(poolId: string): { driver: RuntimeDriver; nodeId: string } {
    const where = this.deps.jobDriver(poolId);
    if ('reason' in where) throw invalid('pool', where.reason);
    return where;
  }

  private activeRun(jobId: string): TRunRow | undefined {
    return this.deps.db.prepare("SELECT * FROM training_runs WHERE job_id = ? AND status IN ('pending', 'running')").get(jobId) as TRunRow | undefined;
  }

  private startRun(projectId: string, jobId: string, spec: TSpec): void {
    const version = ((this.deps.db.prepare('SELECT MAX(version) AS v FROM training_runs WHERE job_id = ?').get(jobId) as { v: number | null }).v ?? 0) + 1;
    const out = parseObsUri(spec.outputDir, 'outputDir');
    const outputKey = `${folderKey(out.key)}${versionName(version)}/`;
    const run: TRunRow = {
      id: newId(), job_id: jobId, version, status: 'pending', status_reason: '', output_uri: `obs://${out.bucket}/${outputKey}`, pid: null,
      created_at: now(), started_at: null, ended_at: null,
    };
    this.deps.db
      .prepare('INSERT INTO training_runs (id, job_id, version, status, status_reason, output_uri, pid, created_at) VALUES (@id, @job_id, @version, @status, @status_reason, @output_uri, @pid, @created_at)')
      .run(run);
    // The logs of a job's older runs go: a job run again and again keeps the newest ones.
    this.deps.db
      .prepare(`DELETE FROM training_logs WHERE run_id IN (SELECT id FROM training_runs WHERE job_id = ? ORDER BY version DESC LIMIT -1 OFFSET ${LOGGED_RUNS})`)
      .run(jobId);
    this.deps.bus.emit('training.changed', { projectId, jobId });
    this.live.add(run.id);
    const launch = this.launch(projectId, jobId, spec, run, out.bucket, outputKey)
      .catch((e) => this.finish(projectId, jobId, run.id, this.stopping.has(run.id) ? 'stopped' : 'failed', this.stopping.has(run.id) ? 'Stopped by the user.' : `The job could not start: ${(e as Error).message}`))
      .finally(() => this.launches.delete(run.id));
    this.launches.set(run.id, launch);
  }

  private async launch(projectId: string, jobId: string, spec: TSpec, run: TRunRow, outputBucket: string, outputKey: string): Promise<void> {
    if (this.isClosing) throw new Error('Anvil is stopping');
    if (this.stopping.has(run.id)) throw new Error('stopped before it started');
    const codeDir = this.checkCode(projectId, spec);
    const { driver, nodeId } = this.driverOf(spec.pool);
    this.drivers.set(run.id, driver);
    const flavor = findFlavor(spec.flavor)!;
    const store = this.deps.buckets.forProject(projectId);
    const argv = [spec.bootFile, ...spec.hyperparameters.map((h) => `--${h.name}=${h.value}`)];
    const started = await driver.start(
      {
        instanceId: run.id, serviceId: jobId, projectId, appId: '', generation: 0, placement: { nodeId, gpuIndices: [] },
        modelDir: codeDir, modelName: spec.name, modelType: 'training', env: Object.fromEntries(spec.envs.map((e) => [e.key, e.value])),
        memoryBytes: flavor.memoryGiB * 1024 ** 3, cpus: flavor.cpu, gpus: flavor.gpu || undefined,
        job: {
          argv,
          collect: async (outputDir, exit, readAs) => {
            if (exit !== 'exit code 0' || this.stopping.has(run.id)) return;
            // Copied into a staging folder first: the version's folder appears whole, or not at all.
            const final = store.pathOf(outputBucket, outputKey);
            const staging = `${final.replace(/\/+$/, '')}.partial-${run.id}`;
            try {
              if (fs.existsSync(final)) throw new Error(`${run.output_uri} exists already`);
              const copied = await copyOutput(outputDir, staging, readAs);
              fs.renameSync(staging, final);
              this.collected.set(run.id, { ok: true, files: copied.files });
            } catch (e) {
              fs.rmSync(staging, { recursive: true, force: true });
              this.collected.set(run.id, { ok: false, error: (e as Error).message });
            }
          },
        },
      },
      {
        onLog: (stream, line) => this.log(run.id, stream, line),
        onExit: (exit) => {
          this.drivers.delete(run.id);
          this.ended(projectId, jobId, run.id, exit);
        },
      },
    );
    // Stopped while its code was being copied, or Anvil began to stop: the process is not wanted.
    if (this.stopping.has(run.id) || this.isClosing) return void (await driver.stop(run.id));
    this.deps.db.prepare("UPDATE training_runs SET status = 'running', pid = ?, started_at = ? WHERE id = ? AND status = 'pending'").run(started.pid, now(), run.id);
    this.deps.bus.emit('training.changed', { projectId, jobId });
  }

  private ended(projectId: string, jobId: string, runId: string, exit: string): void {
    const collected = this.collected.get(runId);
    this.collected.delete(runId);
    // A run that finished and was saved before a stop took effect succeeded; anything else the stop or the shutdown ended.
    if (exit === 'exit code 0' && collected?.ok) return this.finish(projectId, jobId, runId, 'succeeded', `${collected.files} file(s) saved.`);
    if (this.stopping.has(runId)) return this.finish(projectId, jobId, runId, 'stopped', 'Stopped by the user.');
    if (this.isClosing) return this.finish(projectId, jobId, runId, 'failed', 'Anvil stopped while the job ran.');
    if (exit !== 'exit code 0') return this.finish(projectId, jobId, runId, 'failed', `The boot file ended with ${exit}; see the log.`);
    this.finish(projectId, jobId, runId, 'failed', `The output could not be saved: ${collected && !collected.ok ? collected.error : 'unknown error'}.`);
  }

  /** Ends an active run with its state and reason (a run already ended stays as it is). */
  private finish(projectId: string, jobId: string, runId: string, status: TTrainingStatus, reason: string): void {
    if (this.isClosed) return;
    this.live.delete(runId);
    try {
      this.logs.flush();
    } catch (e) {
      // The run's state is written whatever happened to a batch of log lines.
      console.error('[training] could not store log lines:', e);
    }
    const changed = this.deps.db
      .prepare(`UPDATE training_runs SET status = ?, status_reason = ?, ended_at = ? WHERE id = ? AND status IN (${ACTIVE.map(() => '?').join(', ')})`)
      .run(status, reason, now(), runId, ...ACTIVE).changes;
    this.logCounts.delete(runId);
    if (changed) this.deps.bus.emit('training.changed', { projectId, jobId });
  }

  private log(runId: string, stream: 'stdout' | 'stderr', line: string): void {
    // Lines of a run that has ended (something it left behind still writing) are not kept.
    if (this.isClosed || !this.live.has(runId)) return;
    const n = (this.logCounts.get(runId) ?? 0) + 1;
    this.logCounts.set(runId, n);
    if (n > MAX_LOG_LINES_PER_RUN + 1) return;
    const text = n > MAX_LOG_LINES_PER_RUN ? `[anvil] the log is cut at ${MAX_LOG_LINES_PER_RUN} lines` : line.slice(0, MAX_LOG_LINE_CHARS);
    this.logs.push([runId, now(), stream, text]);
  }

  private row(projectId: string, jobId: string): TJobRow {
    const row = this.deps.db.prepare('SELECT * FROM training_jobs WHERE id = ? AND project_id = ?').get(jobId, projectId) as TJobRow | undefined;
    if (!row) throw notFound(`Training job ${jobId}`);
    return row;
  }

  private toJob(r: TJobRow): TTrainingJob {
    const runs = this.deps.db.prepare('SELECT * FROM training_runs WHERE job_id = ? ORDER BY version DESC').all(r.id) as TRunRow[];
    return { ...(JSON.parse(r.spec) as TSpec), id: r.id, createdAt: r.created_at, runs: runs.map(toRun) };
  }
}

const toRun = (r: TRunRow): TTrainingRun => ({
  id: r.id, version: r.version, versionName: versionName(r.version), status: r.status, statusReason: r.status_reason, outputUri: r.output_uri,
  createdAt: r.created_at, startedAt: r.started_at, endedAt: r.ended_at,
});

/** A folder key with its trailing slash ('' for the bucket's root). */
const folderKey = (key: string) => (key === '' || key.endsWith('/') ? key : `${key}/`);
const isInside = (key: string, folder: string) => key.startsWith(folder);
const isDirectory = (p: string) => fs.existsSync(p) && fs.lstatSync(p).isDirectory();
const isFile = (p: string) => fs.existsSync(p) && fs.lstatSync(p).isFile();
