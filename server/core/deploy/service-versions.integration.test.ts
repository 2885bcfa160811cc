/**
 * Gray release over real HTTP (guide table 3-2): a service runs two versions of iris at 80/20, the
 * gateway splits calls exactly by weight and sends a header rule's calls to its version; versions
 * are added and removed on the running service without touching the others' instances; the
 * versions survive an Anvil restart.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../../test-support/anvil-harness';

type TBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const IRIS = JSON.stringify({ data: { req_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] } });

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
const models: Record<string, string> = {};
let serviceId = '';

const call = async (p: string, method = 'GET', body?: unknown) => {
  const res = await fetch(`${anvil.url}${p}`, { method, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as TBody };
};
const svc = () => `/v1/${auth.projectId}/services/${serviceId}`;
const running = () => waitFor(async () => (await call(svc())).body.status === 'running', 60_000, 'running');
const detail = () => anvil.core.services.get(auth.projectId, serviceId);

/** Sends `n` predictions (optionally with headers) and counts them per version from the gateway's own counters. */
async function split(n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  anvil.core.metrics.drain();
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...headers }, body: IRIS });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
  const counts: Record<string, number> = {};
  for (const s of anvil.core.metrics.drain()) counts[s.versionId] = (counts[s.versionId] ?? 0) + s.counts['2xx'];
  return counts;
}

beforeAll(async () => {
  // The split is read from the gateway's counters: no collector may drain them meanwhile.
  anvil = await startTestAnvil(undefined, { monitoring: { autoStart: false } });
  auth = await getToken(anvil.url);
  await call('/obs/models', 'PUT');
  await fetch(`${anvil.url}/obs/models/iris?extract=zip`, { method: 'PUT', headers: { 'x-auth-token': auth.token, 'content-type': 'application/zip' }, body: zipFolder(path.resolve('examples/iris/model')) });
  for (const version of ['0.0.1', '0.0.2', '0.0.3']) {
    const created = await call(`/v1/${auth.projectId}/models`, 'POST', { model_name: 'iris', model_version: version, source_location: 'obs://models/iris' });
    expect(created.status).toBe(201);
    models[version] = created.body.model_id;
  }
  await fetch(`${anvil.url}/obs/models/digits?extract=zip`, { method: 'PUT', headers: { 'x-auth-token': auth.token, 'content-type': 'application/zip' }, body: zipFolder(path.resolve('examples/digits/model')) });
  models.digits = (await call(`/v1/${auth.projectId}/models`, 'POST', { model_name: 'digits', source_location: 'obs://models/digits' })).body.model_id;
  for (const id of Object.values(models)) await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${id}`)).body.model_status === 'normal', 30_000, 'imported');
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('a service with two versions', () => {
  it('refuses weights that do not sum to 100, and a version of another application', async () => {
    const config = (w1: number, w2: number, second = models['0.0.2']) => ({
      service_name: 'gray', schedule: [],
      config: [{ model_id: models['0.0.1'], specification: 'cpu.1u2g', weight: w1 }, { model_id: second, specification: 'cpu.1u2g', weight: w2 }],
    });
    const bad = await call(`/v1/${auth.projectId}/services`, 'POST', config(80, 30));
    expect(bad).toMatchObject({ status: 400, body: { field: 'config', error_msg: expect.stringContaining('must sum to 100%') } });
    const other = await call(`/v1/${auth.projectId}/services`, 'POST', config(80, 20, models.digits));
    expect(other).toMatchObject({ status: 400, body: { field: 'config.1.model_id', error_msg: expect.stringContaining('one AI application') } });
    expect((await call(`/v1/${auth.projectId}/services`)).body.services).toEqual([]);
  });

  it('deploys both at 80/20 and the gateway splits 1000 calls exactly', async () => {
    const created = await call(`/v1/${auth.projectId}/services`, 'POST', {
      service_name: 'gray', schedule: [],
      config: [{ model_id: models['0.0.1'], specification: 'cpu.1u2g', weight: 80 }, { model_id: models['0.0.2'], specification: 'cpu.1u2g', weight: 20 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    serviceId = created.body.service_id;
    await running();
    const [v1, v2] = detail().versions;
    expect([v1.weight, v2.weight, v1.readyInstances, v2.readyInstances]).toEqual([80, 20, 1, 1]);
    expect((await call(svc())).body.config.map((c: TBody) => [c.model_version, c.weight])).toEqual([['0.0.1', 80], ['0.0.2', 20]]);
    expect(await split(1000)).toEqual({ [v1.id]: 800, [v2.id]: 200 });
  }, 60_000);

  it('sends the calls a header rule matches to its version, with the rule\'s header', async () => {
    const [, v2] = detail().versions;
    const saved = await call(`${svc()}/rules`, 'PUT', { rules: [{ condition: "#HEADER_x-canary == 'yes'", version_id: v2.id, header_name: 'X-Config', header_value: 'B' }] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(await split(20, { 'x-canary': 'yes' })).toEqual({ [v2.id]: 20 });
    const rest = await split(10, { 'x-canary': 'no' });
    expect(Object.values(rest).reduce((a, b) => a + b, 0)).toBe(10);
    // A version a rule sends calls to cannot be removed before the rule.
    const [v1] = detail().versions;
    const refused = await call(svc(), 'PUT', { config: [{ version_id: v1.id, model_id: v1.appId, specification: 'cpu.1u2g', weight: 100 }] });
    expect(refused).toMatchObject({ status: 400, body: { error_msg: expect.stringContaining('change the rules first') } });
    expect((await call(`${svc()}/rules`, 'PUT', { rules: [] })).status).toBe(200);
  });

  it('adds a third version at 10% without touching the others\' instances, then removes one', async () => {
    const before = detail();
    const [v1, v2] = before.versions;
    const ids = before.instances.map((i) => i.id).sort();
    const added = await call(svc(), 'PUT', {
      config: [
        { version_id: v1.id, model_id: v1.appId, specification: 'cpu.1u2g', weight: 70 },
        { version_id: v2.id, model_id: v2.appId, specification: 'cpu.1u2g', weight: 20 },
        { model_id: models['0.0.3'], specification: 'cpu.1u2g', weight: 10 },
      ],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    await running();
    const after = detail();
    expect(after.versions.map((v) => [v.appVersion, v.weight, v.readyInstances])).toEqual([['0.0.1', 70, 1], ['0.0.2', 20, 1], ['0.0.3', 10, 1]]);
    expect(after.instances.map((i) => i.id).filter((id) => ids.includes(id)).sort()).toEqual(ids);
    const events = (await call(`${svc()}/events`)).body.events.map((e: TBody) => e.event_message ?? e.message);
    expect(JSON.stringify(events)).toContain('Updating service.');

    const v3 = after.versions[2];
    const v2Instance = after.instances.find((i) => i.versionId === v2.id)!.id;
    const removed = await call(svc(), 'PUT', {
      config: [
        { version_id: v1.id, model_id: v1.appId, specification: 'cpu.1u2g', weight: 90 },
        { version_id: v3.id, model_id: v3.appId, specification: 'cpu.1u2g', weight: 10 },
      ],
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    await waitFor(async () => !detail().instances.some((i) => i.id === v2Instance), 30_000, 'v2 instance gone');
    expect(detail().versions.map((v) => v.appVersion)).toEqual(['0.0.1', '0.0.3']);
    expect(await split(100)).toEqual({ [v1.id]: 90, [v3.id]: 10 });
    // A kept version keeps its application.
    const changed = await call(svc(), 'PUT', { config: [{ version_id: v1.id, model_id: models['0.0.2'], specification: 'cpu.1u2g', weight: 100 }] });
    expect(changed).toMatchObject({ status: 400, body: { error_msg: expect.stringContaining('remove it and add a new version') } });
  }, 90_000);

  it('keeps its versions and one instance per version across an Anvil restart', async () => {
    const versions = detail().versions.map((v) => v.id);
    await anvil.close();
    anvil = await startTestAnvil(anvil.dataDir, { monitoring: { autoStart: false } });
    auth = await getToken(anvil.url);
    await waitFor(async () => (await call(svc())).body.status === 'running', 60_000, 'running', 200).catch((e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify({ ...detail(), envs: undefined })}`);
    });
    expect(detail().versions.map((v) => [v.id, v.readyInstances])).toEqual(versions.map((id) => [id, 1]));
  }, 90_000);
});
