/**
 * AI applications as a user sees them over REST on a running Anvil: an import cut short by a stopped
 * Anvil, deleting one version or the whole application, the metrics' digits, what really runs the
 * model, and the options Anvil refuses instead of ignoring.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../env';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

let anvil: TTestAnvil;
let token: string;
let projectId: string;

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const post = (p: string, body: unknown) => api(p, { method: 'POST', body: JSON.stringify(body) });
type TModel = { model_status: string; metrics: Record<string, string> };
const model = async (id: string) => (await (await api(`/v1/${projectId}/models/${id}`)).json()) as TModel;
const events = async (id: string) =>
  ((await (await api(`/v1/${projectId}/models/${id}/events`)).json()) as { events: { code: string; message: string }[] }).events.reverse();

async function importIris(name: string, version?: string, folder = 'iris'): Promise<string> {
  const res = await post(`/v1/${projectId}/models`, { model_name: name, model_version: version, source_location: `obs://apps/${folder}` });
  expect(res.status, await res.clone().text()).toBe(201);
  const { model_id } = (await res.json()) as { model_id: string };
  await waitFor(async () => (await model(model_id)).model_status !== 'building', 20_000, `import of ${name}`);
  return model_id;
}

async function start(dataDir?: string) {
  anvil = await startTestAnvil(dataDir);
  ({ token, projectId } = await getToken(anvil.url));
}

beforeAll(async () => {
  await start();
  expect((await api('/obs/apps', { method: 'PUT' })).status).toBe(201);
  expect((await api('/obs/apps/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) })).status).toBe(201);
});
afterAll(() => stopTestAnvil(anvil));

describe('an import cut short by a stopped Anvil (issue 5 §2)', () => {
  it('is failed at the next start with the reason, and can then be deleted', async () => {
    const id = await importIris('crashed');
    // What a crash in the middle of the copy leaves: the version `building` and half a copy.
    anvil.core.db.prepare(`UPDATE apps SET status = 'building' WHERE id = ?`).run(id);
    const partial = path.join(anvil.dataDir, 'models', id, 'model', 'half-copied.bin');
    fs.writeFileSync(partial, 'x');
    expect((await api(`/v1/${projectId}/models/${id}`, { method: 'DELETE' })).status).toBe(409);

    const { dataDir } = anvil;
    await anvil.close();
    await start(dataDir);
    expect((await model(id)).model_status).toBe('failed');
    expect((await events(id)).slice(-2).map((e) => e.message)).toEqual([
      'Import interrupted: Anvil stopped while the model was being imported.',
      'Failed to import the model.',
    ]);
    expect(fs.existsSync(path.join(anvil.dataDir, 'models', id))).toBe(false);
    expect((await api(`/v1/${projectId}/models/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/v1/${projectId}/models/${id}`)).status).toBe(404);
  });
});

describe('editing a version and deleting several applications (guide §2.4, §2.5)', () => {
  const put = (id: string, body: unknown) => api(`/v1/${projectId}/models/${id}`, { method: 'PUT', body: JSON.stringify(body) });
  it('edits description, documentation links and precision (17 decimal places), all or nothing', async () => {
    const id = await importIris('editable');
    const ok = await put(id, { description: 'tuned', model_docs: [{ doc_name: 'card', doc_url: 'https://example.com/card' }], metrics: { accuracy: '0.123456789012345678', f1: '' } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { description: string; metrics: Record<string, string> };
    expect(body.description).toBe('tuned');
    expect(body.metrics.accuracy).toBe('0.12345678901234567');
    expect(body.metrics.f1).toBeUndefined();
    const refused = await put(id, { description: 'x'.repeat(600), metrics: { accuracy: '0.5' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { field: string }).field).toBe('description');
    expect((await model(id)).metrics.accuracy).toBe('0.12345678901234567');
    expect(await put(id, { model_docs: [{ doc_name: 'x', doc_url: 'javascript:alert(1)' }] })).toMatchObject({ status: 400 });
    expect(await put(id, { metrics: { recall: 'high' } })).toMatchObject({ status: 400 });
  });

  it('deletes several applications at once, or none when one of them cannot go (unknown: 404)', async () => {
    await importIris('batch-a');
    await importIris('batch-b', '0.0.1');
    await importIris('batch-b', '0.0.2');
    const refused = await post(`/v1/${projectId}/models/batch-delete`, { model_names: ['batch-a', 'no-such-app'] });
    expect(refused.status).toBe(404);
    const done = await post(`/v1/${projectId}/models/batch-delete`, { model_names: ['batch-a', 'batch-b'] });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ deleted: ['batch-a', 'batch-b'] });
    const left = ((await (await api(`/v1/${projectId}/models`)).json()) as { models: { model_name: string }[] }).models.map((m) => m.model_name);
    expect(left.filter((n) => n.startsWith('batch-'))).toEqual([]);
  });
});

describe('deleting a version or the whole application (guide §2.3, §2.5)', () => {
  it('deletes the latest version only, or with cascade every version, refused while any version has a service', async () => {
    const v1 = await importIris('two-versions', '0.0.1');
    const v2 = await importIris('two-versions', '0.0.2');
    const v3 = await importIris('two-versions', '0.0.3');
    const versions = async () => anvil.core.registry.list(projectId).find((g) => g.name === 'two-versions')?.versions.map((v) => v.version) ?? [];

    expect((await api(`/v1/${projectId}/models/${v3}`, { method: 'DELETE' })).status).toBe(204);
    expect(await versions()).toEqual(['0.0.2', '0.0.1']);

    const svc = await post(`/v1/${projectId}/services`, { service_name: 'holds-v1', schedule: [], config: [{ model_id: v1, specification: 'cpu.1u2g' }] });
    const { service_id } = (await svc.json()) as { service_id: string };
    const refused = await api(`/v1/${projectId}/models/${v2}?cascade=true`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error_msg: string }).error_msg).toBe('Delete the services deployed from two-versions first: holds-v1 (version 0.0.1).');
    expect(await versions()).toEqual(['0.0.2', '0.0.1']);

    expect((await api(`/v1/${projectId}/services/${service_id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/v1/${projectId}/models/${v2}?cascade=true`, { method: 'DELETE' })).status).toBe(204);
    expect(await versions()).toEqual([]);
    for (const id of [v1, v2]) {
      expect((await api(`/v1/${projectId}/models/${id}`)).status).toBe(404);
      expect(fs.existsSync(path.join(anvil.dataDir, 'models', id))).toBe(false);
      expect(anvil.core.events.list('app', id)).toEqual([]);
    }
  });
});

describe('what the application page shows is what happens (issue 5 §4, §8)', () => {
  it('keeps the metrics as written, truncated to 17 decimal places', async () => {
    const config = fs.readFileSync('examples/iris/model/config.json', 'utf8').replace(
      /"metrics": \{[^}]*\}/,
      '"metrics": {"f1": 0.12345678901234567, "recall": 0.123456789012345678901234, "precision": 1e-3, "accuracy": 0.5}',
    );
    expect((await api('/obs/apps/digits17/model/config.json', { method: 'PUT', body: config })).status).toBe(201);
    const code = fs.readFileSync('examples/iris/model/customize_service.py', 'utf8');
    expect((await api('/obs/apps/digits17/model/customize_service.py', { method: 'PUT', body: code })).status).toBe(201);
    const id = await importIris('precise', undefined, 'digits17');
    expect((await model(id)).metrics).toEqual({ f1: '0.12345678901234567', recall: '0.12345678901234567', precision: '0.001', accuracy: '0.5' });
  });

  it('says which interpreter really runs the model, and its real start command, request mode and encryption', async () => {
    const id = await importIris('runs-on');
    const detail = anvil.core.registry.get(projectId, id);
    // The harness leaves ANVIL_PYTHON at its default, as a plain `npm start` does.
    const python = readEnv({ PATH: process.env.PATH }).ANVIL_PYTHON;
    const hostPython = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
    expect(hostPython).toMatch(/^Python 3\.\d+\.\d+$/);
    expect(detail.runtimeInfo).toEqual({ requested: 'python3.6', actual: hostPython });
    expect(detail.startCommand).toBe(`${python} anvil_model_server.py`);
    expect(detail).toMatchObject({ requestMode: 'sync', encryption: 'none' });
  });

  it('refuses a start command and documentation links that are not http(s), naming the field', async () => {
    const form = { name: 'refused', sourceUri: 'obs://apps/iris' };
    expect(() => anvil.core.registry.create(projectId, { ...form, startCommand: 'sh run.sh' })).toThrow(/does not run custom start commands/);
    for (const url of ['javascript:alert(document.cookie)', 'data:text/html,<script>1</script>', 'ftp://x.example/doc']) {
      const res = await post(`/v1/${projectId}/models`, { model_name: 'refused', source_location: 'obs://apps/iris', model_docs: [{ doc_name: 'doc', doc_url: url }] });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: expect.stringMatching(/^model_docs/), error_msg: 'Use an http:// or https:// address.' });
    }
    expect(anvil.core.registry.list(projectId).map((g) => g.name)).not.toContain('refused');
  });
});
