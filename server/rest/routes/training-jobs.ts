/** Training jobs over REST (guide §2.2.1): create, list, stop, run again, delete, and each run's log. */
import { createRoute, z } from '@hono/zod-openapi';
import type { TTrainingJob, TTrainingJobInput } from '../../contracts/training';
import { TRAINING_STATUSES } from '../../contracts/training';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, ZResourceParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Training jobs'];
const fieldOf = restFieldOf({ name: 'job_name', codeDir: 'code_dir', bootFile: 'boot_file', outputDir: 'output_dir', flavor: 'specification', pool: 'pool_name' });

const ZRestJobBodySchema = z
  .object({
    job_name: z.string().meta({ description: '1-64 letters, digits, "-" and "_", starting with a letter; unique in the project.' }),
    description: z.string().optional(),
    code_dir: z.string().meta({ description: 'The code folder, obs://bucket/path/.' }),
    boot_file: z.string().meta({ description: 'A .py file in the code folder, run as `python3 <boot_file> --<name>=<value>… --train_url=<output>`.' }),
    output_dir: z.string().meta({ description: 'obs://bucket/path/: each run saves what it wrote to --train_url under V001/, V002/, …' }),
    hyperparameters: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    envs: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
    specification: z.string().meta({ description: 'A flavor, e.g. cpu.1u2g.' }),
    pool_name: z.string().optional().meta({ description: 'local (the process pool; the default).' }),
  })
  .meta({ id: 'TrainingJobBody' });
const ZRestRunSchema = z.object({
  run_id: z.string(), version: z.string().meta({ description: 'V001, V002, …' }), status: z.enum(TRAINING_STATUSES), status_reason: z.string(), output_uri: z.string(),
  created_at: z.number(), started_at: z.number().nullable(), ended_at: z.number().nullable(),
});
const ZRestJobSchema = ZRestJobBodySchema.extend({ job_id: z.string(), created_at: z.number(), status: z.enum(TRAINING_STATUSES), runs: z.array(ZRestRunSchema) }).meta({ id: 'TrainingJob' });

const fromRest = (b: z.infer<typeof ZRestJobBodySchema>): TTrainingJobInput => ({
  name: b.job_name, description: b.description, codeDir: b.code_dir, bootFile: b.boot_file, outputDir: b.output_dir, hyperparameters: b.hyperparameters,
  envs: b.envs, flavor: b.specification, pool: b.pool_name,
});
const toRest = (j: TTrainingJob) => ({
  job_id: j.id, job_name: j.name, description: j.description, code_dir: j.codeDir, boot_file: j.bootFile, output_dir: j.outputDir, hyperparameters: j.hyperparameters,
  envs: j.envs, specification: j.flavor, pool_name: j.pool, created_at: j.createdAt, status: j.runs[0]?.status ?? 'pending',
  runs: j.runs.map((r) => ({
    run_id: r.id, version: r.versionName, status: r.status, status_reason: r.statusReason, output_uri: r.outputUri, created_at: r.createdAt, started_at: r.startedAt, ended_at: r.endedAt,
  })),
});

const route = <M extends 'get' | 'post' | 'delete'>(method: M, path: string, operationId: string, summary: string) => ({ method, path, operationId, summary, tags: TAGS });
const BASE = '/v1/{project_id}/training-jobs';

const listJobs = createRoute({ ...route('get', BASE, 'listTrainingJobs', 'Training jobs of the project, newest first'), request: { params: ZProjectParamsSchema }, responses: { 200: jsonResponse(z.object({ jobs: z.array(ZRestJobSchema) }), 'With their runs, newest first.'), ...errorResponses(401, 403) } });
const createJob = createRoute({
  ...route('post', BASE, 'createTrainingJob', 'Create a training job; its first run (V001) starts at once'),
  request: { params: ZProjectParamsSchema, body: { content: { 'application/json': { schema: ZRestJobBodySchema } }, required: true } },
  responses: { 201: jsonResponse(ZRestJobSchema, 'The job, its run pending or running.'), ...errorResponses(400, 401, 403, 404, 409) },
});
const getJob = createRoute({ ...route('get', `${BASE}/{id}`, 'getTrainingJob', 'One training job with its runs'), request: { params: ZResourceParamsSchema }, responses: { 200: jsonResponse(ZRestJobSchema, 'The job.'), ...errorResponses(401, 403, 404) } });
const deleteJob = createRoute({ ...route('delete', `${BASE}/{id}`, 'deleteTrainingJob', 'Delete a job that is not running (its output in object storage stays)'), request: { params: ZResourceParamsSchema }, responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404, 409) } });
const stopJob = createRoute({ ...route('post', `${BASE}/{id}/stop`, 'stopTrainingJob', 'Stop the running run (nothing is saved)'), request: { params: ZResourceParamsSchema }, responses: { 200: jsonResponse(ZRestJobSchema, 'The job, its run stopped.'), ...errorResponses(401, 403, 404, 409) } });
const rerunJob = createRoute({ ...route('post', `${BASE}/{id}/runs`, 'rerunTrainingJob', 'Run the job again as its next version'), request: { params: ZResourceParamsSchema }, responses: { 201: jsonResponse(ZRestJobSchema, 'The job, the new run first.'), ...errorResponses(400, 401, 403, 404, 409) } });
const jobLogs = createRoute({
  ...route('get', `${BASE}/{id}/logs`, 'getTrainingJobLogs', "A run's log lines, oldest first (the newest run's by default)"),
  request: {
    params: ZResourceParamsSchema,
    query: z.object({ run_id: z.string().optional(), after_id: z.coerce.number().int().nonnegative().optional().meta({ description: 'Lines after this id (follow a live log).' }), limit: z.coerce.number().int().min(1).max(5000).optional() }),
  },
  responses: { 200: jsonResponse(z.object({ lines: z.array(z.object({ id: z.number(), run_id: z.string(), ts: z.number(), stream: z.enum(['stdout', 'stderr']), line: z.string() })) }), 'Log lines.'), ...errorResponses(401, 403, 404) },
});

export function registerTrainingJobRoutes(app: TManagementApp): void {
  app.openapi(listJobs, (c) => c.json({ jobs: c.var.core.training.list(c.var.identity.projectId).map(toRest) }, 200));
  app.openapi(createJob, async (c) => c.json(toRest(await inRestTerms(fieldOf, () => c.var.core.training.create(c.var.identity.projectId, fromRest(c.req.valid('json'))))), 201));
  app.openapi(getJob, (c) => c.json(toRest(c.var.core.training.get(c.var.identity.projectId, c.req.valid('param').id)), 200));
  app.openapi(deleteJob, (c) => {
    c.var.core.training.remove(c.var.identity.projectId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(stopJob, async (c) => c.json(toRest(await c.var.core.training.stop(c.var.identity.projectId, c.req.valid('param').id)), 200));
  app.openapi(rerunJob, async (c) => c.json(toRest(await inRestTerms(fieldOf, () => c.var.core.training.rerun(c.var.identity.projectId, c.req.valid('param').id))), 201));
  app.openapi(jobLogs, (c) => {
    const q = c.req.valid('query');
    const lines = c.var.core.training.logLines(c.var.identity.projectId, c.req.valid('param').id, { runId: q.run_id, afterId: q.after_id, limit: q.limit });
    return c.json({ lines: lines.map((l) => ({ id: l.id, run_id: l.runId, ts: l.ts, stream: l.stream, line: l.line })) }, 200);
  });
}
