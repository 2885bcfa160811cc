/**
 * Issue 5 §3: model code cannot touch Anvil. A deployed model (e2e/fixtures/prying) tries to write
 * anvil.db, list the data directory, read another service's model (its run-dir copy, its imported
 * copy and its /proc environment) and read Anvil's environment; each attempt fails, the model logs
 * the error, and the prediction reports what happened. CI runs as root, where this confinement applies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, getToken, startTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

const isRoot = process.getuid?.() === 0;
// A secret in Anvil's own environment (set before Anvil starts): no instance may see it.
const CANARY = `canary-${process.pid}-${Date.now()}`;
process.env.SECRET_CANARY = CANARY;

/** What an instance's environment may hold: Anvil's PATH/locale, the model server's variables, the service's own. */
const ALLOWED_KEYS = new Set([
  'PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'HOME', 'PORT', 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE',
  'ANVIL_MODEL_DIR', 'ANVIL_MODEL_NAME', 'ANVIL_MODEL_TYPE', 'ANVIL_INSTANCE_ID', 'ANVIL_SERVICE_ID',
  'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS',
  'LC_CTYPE', // Python itself sets it when the locale is C (PEP 538)
  'PRY_DATA_DIR', // declared by the service
]);

type TPryResult = {
  attempts: Record<string, string | Record<string, string>>;
  environ: Record<string, string>;
  ids: { uid: number; gid: number; groups: number[] };
  cwd: string;
};
type TServiceDetail = { status: string; instances: { id: string; pid: number }[] };

let anvil: TTestAnvil;
let call: (p: string, init?: RequestInit) => Promise<Response>;
let projectId: string;
const ids: Record<string, string> = {};

async function importModel(name: string, folder: string): Promise<string> {
  await call(`/obs/models/${name}?extract=zip`, { method: 'PUT', body: zipFolder(folder) });
  const res = await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: name, source_location: `obs://models/${name}` }) });
  const { model_id } = (await res.json()) as { model_id: string };
  await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model_id}`)).json()) as { model_status: string }).model_status === 'normal');
  return model_id;
}

async function deployRunning(name: string, modelId: string, envs: Record<string, string> = {}): Promise<string> {
  const body = { service_name: name, config: [{ model_id: modelId, specification: 'cpu.1u2g', instance_count: 1, envs }] };
  const res = await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  const { service_id } = (await res.json()) as { service_id: string };
  await waitFor(async () => (await detail(service_id)).status === 'running', 30_000, `${name} running`);
  return service_id;
}

const detail = async (id: string) => (await (await call(`/v1/${projectId}/services/${id}`)).json()) as TServiceDetail;

async function pry(request: { read?: Record<string, string>; write?: Record<string, string> }): Promise<TPryResult> {
  const res = await call(`/v1/infers/${ids.prying}`, { method: 'POST', body: JSON.stringify(request) });
  expect(res.status).toBe(200);
  return (await res.json()) as TPryResult;
}

describe.runIf(isRoot)('process runtime isolation (Anvil runs as root)', () => {
  beforeAll(async () => {
    anvil = await startTestAnvil();
    const auth = await getToken(anvil.url);
    projectId = auth.projectId;
    call = (p, init = {}) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' } });
    await call('/obs/models', { method: 'PUT' });
    ids.irisModel = await importModel('iris', 'examples/iris/model');
    ids.pryingModel = await importModel('prying', 'e2e/fixtures/prying/model');
    ids.victim = await deployRunning('victim', ids.irisModel);
    ids.prying = await deployRunning('prying', ids.pryingModel, { PRY_DATA_DIR: anvil.dataDir });
  }, 90_000);
  afterAll(async () => {
    await anvil?.close();
    if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
  });

  it('runs the model as the unprivileged instance user, with a group of its own, in a read-only copy outside the data directory', async () => {
    expect(anvil.core.driver.isolation()).toMatchObject({ confined: true, user: 'nobody' });
    expect(anvil.core.driver.isolation().warning).toBeUndefined();
    expect(fs.statSync(anvil.dataDir).mode & 0o777).toBe(0o700);
    const { ids: who, cwd, environ } = await pry({});
    const victimGid = Number(/^Gid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${(await detail(ids.victim)).instances[0].pid}/status`, 'utf8'))![1]);
    expect(who.uid).toBe(65534);
    expect(who.groups).toEqual([]); // no supplementary group is inherited from root
    expect(who.gid).not.toBe(victimGid);
    expect(cwd.startsWith(anvil.runDir + path.sep)).toBe(true);
    expect(cwd.startsWith(anvil.dataDir)).toBe(false);
    expect(environ.HOME).toBe(environ.TMPDIR);
    const own = await pry({ write: { own_model: path.join(cwd, 'config.json') }, read: { own_config: path.join(cwd, 'config.json') } });
    expect(own.attempts.own_config).toMatch(/^succeeded/); // the probe itself works: its own model is readable…
    expect(own.attempts.own_model).toMatch(/^PermissionError/); // …but read-only
  });

  it('cannot open anvil.db for writing nor list the data directory, and logs why', async () => {
    const { attempts } = await pry({ write: { db: path.join(anvil.dataDir, 'anvil.db') }, read: { db_read: path.join(anvil.dataDir, 'anvil.db') } });
    expect(attempts.db).toMatch(/^PermissionError/);
    expect(attempts.db_read).toMatch(/^PermissionError/);
    const atLoad = attempts.at_load as Record<string, string>;
    expect(atLoad.write_db).toMatch(/^PermissionError/);
    expect(atLoad.list_data_dir).toMatch(/^PermissionError/);
    await logLines(
      'pry write anvil.db: failed with PermissionError',
      'pry list the data directory: failed with PermissionError',
      'pry write db: failed with PermissionError',
    );
  });

  it("cannot read another service's model files, nor its process environment", async () => {
    const victim = (await detail(ids.victim)).instances[0];
    const runCopy = path.join(anvil.runDir, 'instances', victim.id, 'model', 'customize_service.py');
    expect(fs.existsSync(runCopy)).toBe(true); // the path is right: root sees it
    const { attempts } = await pry({
      read: {
        victim_run_copy: runCopy,
        victim_import: path.join(anvil.dataDir, 'models', ids.irisModel, 'model', 'customize_service.py'),
        victim_environ: `/proc/${victim.pid}/environ`,
      },
    });
    expect(attempts.victim_run_copy).toMatch(/^PermissionError/);
    expect(attempts.victim_import).toMatch(/^PermissionError/);
    expect(attempts.victim_environ).toMatch(/^PermissionError/);
    await logLines(...['victim_run_copy', 'victim_import', 'victim_environ'].map((what) => `pry read ${what}: failed with PermissionError`));
  });

  it("sees no variable of Anvil's environment beyond PATH and locale, and cannot read Anvil's /proc environ", async () => {
    const { environ, attempts } = await pry({ read: { anvil_environ: `/proc/${process.pid}/environ` } });
    expect(Object.keys(environ).filter((k) => !ALLOWED_KEYS.has(k))).toEqual([]);
    const values = Object.entries(environ).filter(([k]) => k !== 'PRY_DATA_DIR').map(([, v]) => v).join('\n');
    expect(values).not.toContain(CANARY);
    expect(values).not.toContain(ADMIN_PASSWORD);
    expect(values).not.toContain(anvil.dataDir);
    expect(attempts.anvil_environ).toMatch(/^PermissionError/);
    expect((attempts.at_load as Record<string, string>).anvil_environ).toMatch(/^PermissionError/);
    const lines = await logLines("pry read Anvil's environment: failed with PermissionError", 'pry read anvil_environ: failed with PermissionError');
    expect(lines.filter((l) => l.includes('SUCCEEDED') && !l.includes('own_config'))).toEqual([]);
  });

  it("removes an instance's run-dir copy when the instance stops", async () => {
    const [instance] = (await detail(ids.prying)).instances;
    const dir = path.join(anvil.runDir, 'instances', instance.id);
    expect(fs.existsSync(dir)).toBe(true);
    await anvil.core.services.delete(projectId, ids.prying);
    await waitFor(async () => !fs.existsSync(dir), 10_000, 'run-dir copy removed');
  });
});

/** The prying service's log lines, once they include every expected fragment (logs are written in batches). */
async function logLines(...expected: string[]): Promise<string[]> {
  return waitFor(async () => {
    const res = await call(`/v1/${projectId}/services/${ids.prying}/logs?minutes=5`);
    const lines = ((await res.json()) as { lines: { line: string }[] }).lines.map((l) => l.line);
    return expected.every((e) => lines.some((l) => l.includes(e))) && lines;
  }, 10_000, `log lines ${expected.join(', ')}`);
}
