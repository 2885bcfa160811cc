/**
 * Training jobs over real HTTP against a real Anvil: the example iris training script runs from
 * object storage, logs live, saves its package under V001/ (then V002/ when run again), and the
 * package imports as an AI application; a failing boot file fails the run, a stopped run saves
 * nothing, links in the output are not followed, bad input names its field, another project sees
 * nothing, and a run Anvil's restart interrupts ends failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, waitFor, type TTestAnvil } from '../../test-support/anvil-harness';
import { dockerSuiteProblem } from '../../test-support/docker-suite';

const engineProblem = await dockerSuiteProblem();

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
type TJob = { job_id: string; status: string; runs: { run_id: string; version: string; status: string; status_reason: string; output_uri: string }[] };

const call = async (method: string, p: string, body?: unknown, token = auth.token) => {
  const res = await fetch(`${anvil.url}${p}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const jobs = () => `/v1/${auth.projectId}/training-jobs`;
const put = (key: string, content: string | Buffer) => call('PUT', `/obs/${key}`, Buffer.isBuffer(content) ? content : Buffer.from(content));
const job = (over: Record<string, unknown> = {}) => ({
  job_name: 'iris-train', code_dir: 'obs://code/iris-training/', boot_file: 'train.py', output_dir: 'obs://out/iris/',
  hyperparameters: [{ name: 'epochs', value: '200' }, { name: 'lr', value: '0.5' }], specification: 'cpu.1u2g', ...over,
});
const until = async (jobId: string, statuses: string[]) => {
  let last: TJob | undefined;
  await waitFor(async () => {
    last = (await call('GET', `${jobs()}/${jobId}`)).body as TJob;
    return statuses.includes(last.runs[0].status);
  }, 60_000, `job ${jobId} ${statuses.join('/')}`);
  return last!;
};
const logText = async (jobId: string, runId?: string) =>
  ((await call('GET', `${jobs()}/${jobId}/logs${runId ? `?run_id=${runId}` : ''}`)).body.lines as { line: string }[]).map((l) => l.line).join('\n');

beforeAll(async () => {
  anvil = await startTestAnvil();
  auth = await getToken(anvil.url);
  for (const bucket of ['code', 'out']) expect((await call('PUT', `/obs/${bucket}`)).status).toBe(201);
  const dir = path.resolve('examples/iris-training');
  for (const f of ['train.py', 'package/config.json', 'package/customize_service.py']) expect((await put(`code/iris-training/${f}`, fs.readFileSync(path.join(dir, f)))).status).toBe(201);
  await put('code/tools/fail.py', 'import sys\nprint("about to fail", flush=True)\nsys.exit(3)\n');
  await put('code/tools/sleep.py', 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\n');
  await put('code/tools/sneaky.py', 'import os, sys\nout = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--train_url=")][0]\nos.symlink("/etc/passwd", os.path.join(out, "passwd"))\nopen(os.path.join(out, "ok.txt"), "w").write("ok")\n');
}, 120_000);

afterAll(() => anvil?.close());

describe('a training job', () => {
  let jobId: string;

  it('runs the example training script, logs it, and saves its package under V001/', async () => {
    const created = await call('POST', jobs(), job());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ job_name: 'iris-train', output_dir: 'obs://out/iris/', runs: [{ version: 'V001', output_uri: 'obs://out/iris/V001/' }] });
    jobId = created.body.job_id;
    const done = await until(jobId, ['succeeded', 'failed']);
    expect(done.runs[0]).toMatchObject({ status: 'succeeded', status_reason: '3 file(s) saved.' });
    const log = await logText(jobId);
    expect(log).toContain('epoch 200/200');
    expect(log).toMatch(/test accuracy 0\.9\d+/);
    const listed = (await call('GET', '/obs/out/iris/V001/model/')).body;
    expect(JSON.stringify(listed)).toContain('iris_softmax.npz');
  }, 90_000);

  it('saves a package that imports as an AI application with the run\'s metrics', async () => {
    const model = await call('POST', `/v1/${auth.projectId}/models`, { model_name: 'iris-trained', source_location: 'obs://out/iris/V001' });
    expect(model.status).toBe(201);
    await waitFor(async () => (await call('GET', `/v1/${auth.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, 'imported');
    const detail = (await call('GET', `/v1/${auth.projectId}/models/${model.body.model_id}`)).body;
    expect(Number(detail.metrics.accuracy)).toBeGreaterThan(0.9);
  });

  it('runs again as V002, keeping V001', async () => {
    const again = await call('POST', `${jobs()}/${jobId}/runs`);
    expect(again.status).toBe(201);
    expect(again.body.runs.map((r: { version: string }) => r.version)).toEqual(['V002', 'V001']);
    expect((await until(jobId, ['succeeded', 'failed'])).runs[0].status).toBe('succeeded');
    const root = JSON.stringify((await call('GET', '/obs/out/iris/')).body);
    expect(root).toContain('V001');
    expect(root).toContain('V002');
  }, 90_000);

  it('fails a run whose boot file exits with an error, and saves nothing', async () => {
    const created = await call('POST', jobs(), job({ job_name: 'fails', code_dir: 'obs://code/tools', boot_file: 'fail.py', output_dir: 'obs://out/fails/' }));
    expect(created.status).toBe(201);
    const done = await until(created.body.job_id, ['succeeded', 'failed']);
    expect(done.runs[0]).toMatchObject({ status: 'failed', status_reason: 'The boot file ended with exit code 3; see the log.' });
    expect(await logText(created.body.job_id)).toContain('about to fail');
    expect(JSON.stringify((await call('GET', '/obs/out/fails/')).body)).not.toContain('V001');
  }, 60_000);

  it('stops a running job: stopped, nothing saved, refused to delete only while it ran', async () => {
    const created = await call('POST', jobs(), job({ job_name: 'sleeper', code_dir: 'obs://code/tools/', boot_file: 'sleep.py', output_dir: 'obs://out/sleeper/' }));
    const id = created.body.job_id as string;
    await until(id, ['running']);
    await waitFor(async () => (await logText(id)).includes('sleeping'), 10_000, 'sleeping logged');
    expect(await call('DELETE', `${jobs()}/${id}`)).toMatchObject({ status: 409 });
    expect(await call('POST', `${jobs()}/${id}/runs`)).toMatchObject({ status: 409 });
    const stopped = await call('POST', `${jobs()}/${id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.runs[0]).toMatchObject({ status: 'stopped', status_reason: 'Stopped by the user.' });
    expect(await call('POST', `${jobs()}/${id}/stop`)).toMatchObject({ status: 409 });
    expect(JSON.stringify((await call('GET', '/obs/out/sleeper/')).body)).not.toContain('V001');
    expect((await call('DELETE', `${jobs()}/${id}`)).status).toBe(204);
    expect((await call('GET', `${jobs()}/${id}`)).status).toBe(404);
  }, 60_000);

  it('saves regular files only: a link the code left in its output is not followed', async () => {
    const created = await call('POST', jobs(), job({ job_name: 'sneaky', code_dir: 'obs://code/tools/', boot_file: 'sneaky.py', output_dir: 'obs://out/sneaky/' }));
    const done = await until(created.body.job_id, ['succeeded', 'failed']);
    expect(done.runs[0]).toMatchObject({ status: 'succeeded', status_reason: '1 file(s) saved.' });
    const listed = JSON.stringify((await call('GET', '/obs/out/sneaky/V001/')).body);
    expect(listed).toContain('ok.txt');
    expect(listed).not.toContain('passwd');
  }, 60_000);
});

describe.skipIf(!!engineProblem)('on the Docker pool', () => {
  it('runs in a container of the runtime image as nobody, saves its output, and leaves no container behind', async () => {
    await put('code/tools/whoami.py', 'import os, sys\nout = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--train_url=")][0]\nprint("uid", os.getuid(), "cwd", os.getcwd(), flush=True)\nopen(os.path.join(out, "who.txt"), "w").write(str(os.getuid()))\n');
    await waitFor(async () => ((await call('GET', `/v1/${auth.projectId}/pools`)).body.pools as { id: string; nodes: { status: string }[] }[] | undefined)?.find((p) => p.id === 'docker')?.nodes.some((n) => n.status === 'ready'), 30_000, 'docker node ready');
    const created = await call('POST', jobs(), job({ job_name: 'in-docker', code_dir: 'obs://code/tools/', boot_file: 'whoami.py', output_dir: 'obs://out/docker/', pool_name: 'docker' }));
    expect(created.status).toBe(201);
    const done = await until(created.body.job_id, ['succeeded', 'failed']);
    expect(done.runs[0]).toMatchObject({ status: 'succeeded', status_reason: '1 file(s) saved.' });
    expect(await logText(created.body.job_id)).toContain('uid 65534 cwd /opt/anvil/model');
    expect(JSON.stringify((await call('GET', '/obs/out/docker/V001/')).body)).toContain('who.txt');
    const Docker = (await import('dockerode')).default;
    const left = await new Docker().listContainers({ all: true, filters: { label: [`anvil.instance=${done.runs[0].run_id}`] } });
    expect(left).toEqual([]);
  }, 120_000);
});

describe('bad input', () => {
  const refused = async (over: Record<string, unknown>) => (await call('POST', jobs(), job({ job_name: 'bad', ...over }))).body;
  it('names the field at fault and creates nothing', async () => {
    expect(await refused({ job_name: '1st job' })).toMatchObject({ field: 'job_name' });
    expect(await refused({ job_name: 'iris-train' })).toMatchObject({ field: 'job_name', error_msg: expect.stringContaining('already exists') });
    expect(await refused({ boot_file: 'missing.py' })).toMatchObject({ field: 'boot_file' });
    expect(await refused({ boot_file: '../tools/fail.py' })).toMatchObject({ field: 'boot_file' });
    expect(await refused({ boot_file: 'train.sh' })).toMatchObject({ field: 'boot_file' });
    expect(await refused({ code_dir: 'obs://code/nothing-here/' })).toMatchObject({ field: 'code_dir' });
    expect(await refused({ code_dir: 'https://example.com/code' })).toMatchObject({ field: 'code_dir' });
    expect(await refused({ output_dir: 'obs://code/iris-training/out/' })).toMatchObject({ field: 'output_dir' });
    expect(await refused({ specification: 'cpu.99u' })).toMatchObject({ field: 'specification' });
    expect(await refused({ pool_name: 'no-such-pool' })).toMatchObject({ field: 'pool_name' });
    expect(await refused({ specification: 'gpu.1x.8u32g' })).toMatchObject({ field: 'specification' });
    expect(await refused({ hyperparameters: [{ name: 'bad name', value: '1' }] })).toMatchObject({ field: 'hyperparameters.0.name' });
    expect(await refused({ hyperparameters: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] })).toMatchObject({ field: 'hyperparameters' });
    expect(await refused({ hyperparameters: [{ name: 'train_url', value: '/etc' }] })).toMatchObject({ field: 'hyperparameters.0.name' });
    expect(await refused({ hyperparameters: [{ name: 'a', value: 'x\u0000y' }] })).toMatchObject({ field: 'hyperparameters.0.value' });
    expect(await refused({ boot_file: '-c.py' })).toMatchObject({ field: 'boot_file' });
    // Another job saves its runs there: V001 of both would collide.
    expect(await call('POST', jobs(), job({ job_name: 'bad', output_dir: 'obs://out/iris/V001/' }))).toMatchObject({ status: 409, body: { field: 'output_dir' } });
    expect((await call('POST', jobs(), job({ job_name: 'bad', code_dir: 'obs://no-such-bucket/x/' }))).status).toBe(404);
    expect(((await call('GET', jobs())).body.jobs as { job_name: string }[]).map((j) => j.job_name)).not.toContain('bad');
  });
});

describe('another project', () => {
  it('sees none of the jobs, and cannot run code from this project\'s buckets', async () => {
    const headers = { 'x-auth-token': auth.token, 'content-type': 'application/json' };
    const created = await fetch(`${anvil.url}/v3/projects`, { method: 'POST', headers, body: JSON.stringify({ project: { name: 'other-team' } }) });
    const project = ((await created.json()) as { project: { id: string } }).project;
    const users = ((await (await fetch(`${anvil.url}/v3/users`, { headers })).json()) as { users: { id: string; name: string }[] }).users;
    await fetch(`${anvil.url}/v3/projects/${project.id}/users/${users.find((u) => u.name === 'admin')!.id}`, { method: 'PUT', headers });
    const other = await getToken(anvil.url, { name: 'other-team' });
    const mine = ((await call('GET', jobs())).body.jobs as { job_id: string }[])[0];
    expect((await call('GET', `/v1/${other.projectId}/training-jobs`, undefined, other.token)).body.jobs).toEqual([]);
    expect((await call('GET', `/v1/${other.projectId}/training-jobs/${mine.job_id}`, undefined, other.token)).status).toBe(404);
    expect((await call('POST', `/v1/${other.projectId}/training-jobs/${mine.job_id}/stop`, undefined, other.token)).status).toBe(404);
    expect((await call('GET', `${jobs()}`, undefined, other.token)).status).toBe(403);
    const theirs = await call('POST', `/v1/${other.projectId}/training-jobs`, job({ job_name: 'steal' }), other.token);
    expect(theirs.status).toBe(404);
  });
});

describe('a restart', () => {
  it('ends the run it interrupted as failed, and the next Anvil can run the job again', async () => {
    const created = await call('POST', jobs(), job({ job_name: 'interrupted', code_dir: 'obs://code/tools/', boot_file: 'sleep.py', output_dir: 'obs://out/interrupted/' }));
    const id = created.body.job_id as string;
    await until(id, ['running']);
    const { dataDir } = anvil;
    await anvil.close();
    anvil = await startTestAnvil(dataDir);
    auth = await getToken(anvil.url);
    const after = (await call('GET', `${jobs()}/${id}`)).body as TJob;
    expect(after.runs[0]).toMatchObject({ status: 'failed', status_reason: 'Anvil stopped while the job ran.' });
    expect(((await call('POST', `${jobs()}/${id}/runs`)).body as TJob).runs[0].version).toBe('V002');
    await call('POST', `${jobs()}/${id}/stop`);
  }, 90_000);
});
