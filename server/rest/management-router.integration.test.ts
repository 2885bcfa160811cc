/**
 * Issue 5 §7 over real HTTP: the management API validates with the console form's schemas (same
 * messages, the REST field path), publishes a valid OpenAPI 3.1 document, and drives the service
 * lifecycle (start/stop/restart, ModelArts' PUT).
 */
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZCreateAppSchema } from '../contracts/apps';
import { ZCreateServiceSchema, ZEnvVarSchema } from '../contracts/services';
import { getToken, startTestAnvil, stopTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let token: string;
let projectId: string;
let modelId: string;

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const send = (method: string, p: string, body: unknown) => api(p, { method, body: JSON.stringify(body) });
const formMessage = (schema: { safeParse(v: unknown): { error?: { issues: { message: string }[] } } }, value: unknown) => schema.safeParse(value).error!.issues[0].message;
const service = (overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => ({
  service_name: 'svc',
  config: [{ model_id: modelId, specification: 'cpu.1u2g', ...config }],
  ...overrides,
});
const statusOf = async (id: string) => ((await (await api(`/v1/${projectId}/services/${id}`)).json()) as { status: string }).status;

beforeAll(async () => {
  anvil = await startTestAnvil(undefined, { lifecycle: { drainGraceMs: 500 } });
  ({ token, projectId } = await getToken(anvil.url));
  await api('/obs/models', { method: 'PUT' });
  await api('/obs/models/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')), headers: { 'content-type': 'application/zip' } });
  const created = (await (await send('POST', `/v1/${projectId}/models`, { model_name: 'iris', source_location: 'obs://models/iris' })).json()) as { model_id: string };
  modelId = created.model_id;
  await waitFor(async () => ((await (await api(`/v1/${projectId}/models/${modelId}`)).json()) as { model_status: string }).model_status === 'normal');
});
afterAll(() => stopTestAnvil(anvil));

describe('GET /v1/openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document of every management route, without a token', async () => {
    const res = await fetch(`${anvil.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    const validator = new Validator();
    expect(await validator.validate(doc as unknown as Parameters<Validator['validate']>[0])).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(operations).toEqual(
      expect.arrayContaining([
        'listModels', 'createModel', 'getModel', 'deleteModel', 'listModelEvents',
        'listServices', 'createService', 'getService', 'deleteService', 'listServiceEvents', 'searchServiceLogs',
        'startService', 'stopService', 'restartService', 'updateService',
      ]),
    );
    expect(new Set(operations).size).toBe(operations.length);
  });
});

describe('validation: the REST field and the console form message', () => {
  const expectInvalid = async (res: Response, field: string, message: string, status = 400) => {
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error_code: expect.stringMatching(/^ModelArts\./), error_msg: message, field });
  };

  it('uses the form schemas for field values', async () => {
    const svc = `/v1/${projectId}/services`;
    await expectInvalid(await send('POST', svc, service({ service_name: 'bad name' })), 'service_name', formMessage(ZCreateServiceSchema.shape.name, 'bad name'));
    await expectInvalid(await send('POST', svc, service({ deploy_timeout: 121 })), 'deploy_timeout', 'At most 120 minutes.');
    await expectInvalid(await send('POST', svc, service({}, { instance_count: 0 })), 'config.0.instance_count', 'At least 1 instance.');
    await expectInvalid(await send('POST', svc, service({}, { envs: { '1x': 'v' } })), 'config.0.envs.1x', formMessage(ZEnvVarSchema.shape.key, '1x'));
    await expectInvalid(await send('POST', svc, service({ schedule: [{ type: 'stop', time_unit: 'HOURS', duration: 25 }] })), 'schedule.0.duration', 'At most 24 hours.');
    await expectInvalid(
      await send('POST', `/v1/${projectId}/models`, { model_name: 'm', source_location: 's3://x' }),
      'source_location',
      formMessage(ZCreateAppSchema.shape.sourceUri, 's3://x'),
    );
  });

  it('names missing, unknown and wrongly typed fields', async () => {
    const svc = `/v1/${projectId}/services`;
    await expectInvalid(await send('POST', svc, { config: service().config }), 'service_name', 'service_name is required.');
    await expectInvalid(await send('POST', svc, service({ junk: 1 })), 'junk', 'Unknown field junk: Anvil refuses what it would ignore.');
    const wrongType = await send('POST', svc, service({ deploy_timeout: '20' }));
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ field: 'deploy_timeout' });
    await expectInvalid(await send('POST', svc, [service()]), 'body', 'Invalid input: expected object, received array');
  });

  it('answers bad JSON, a wrong content type and an unknown route in the same error shape', async () => {
    const bad = await api(`/v1/${projectId}/services`, { method: 'POST', body: '{"service_name":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error_code: 'ModelArts.0101', error_msg: 'The request body is not valid JSON.' });
    const text = await api(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify(service()), headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error_code: 'ModelArts.0112' });
    const unknown = await api(`/v1/${projectId}/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: 'ModelArts.0102', error_msg: `No API GET /v1/${projectId}/nothing.` });
  });

  it('names the REST field of a core error too', async () => {
    const res = await send('POST', `/v1/${projectId}/services`, service({}, { specification: 'cpu.64u512g' }));
    await expectInvalid(res, 'config.0.specification', 'Unknown compute specification cpu.64u512g.');
  });

  it('checks the token before anything else, and the project of the URL', async () => {
    const anonymous = await fetch(`${anvil.url}/v1/${projectId}/services`, { method: 'POST', body: '{' });
    expect(anonymous.status).toBe(401);
    const other = await api('/v1/another-project/services');
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error_code: 'ModelArts.0106' });
  });
});

describe('service lifecycle over REST', () => {
  let id: string;

  it('stops with POST …/stop and starts with ModelArts PUT {status: "running"}', async () => {
    const created = await send('POST', `/v1/${projectId}/services`, service({ service_name: 'life', schedule: [] }));
    expect(created.status).toBe(201);
    id = ((await created.json()) as { service_id: string }).service_id;
    await waitFor(async () => (await statusOf(id)) === 'running', 30_000, 'running');

    const stopped = await api(`/v1/${projectId}/services/${id}/stop`, { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ service_id: id, status: 'stopped' });

    const started = await send('PUT', `/v1/${projectId}/services/${id}`, { status: 'running' });
    expect(started.status).toBe(200);
    expect(['deploying', 'running']).toContain(((await started.json()) as { status: string }).status);
    await waitFor(async () => (await statusOf(id)) === 'running', 30_000, 'running again');
  });

  it('refuses an operation the status does not allow, with the reason, and changes nothing', async () => {
    const refused = await send('PUT', `/v1/${projectId}/services/${id}`, { status: 'running', description: 'changed' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ field: 'status', error_msg: expect.stringContaining('A running service cannot be started') });
    expect(((await (await api(`/v1/${projectId}/services/${id}`)).json()) as { description: string }).description).toBe('');
    expect((await api(`/v1/${projectId}/services/${id}/start`, { method: 'POST' })).status).toBe(409);
  });

  it('sets auto-stop and the description with PUT, and restarts', async () => {
    const res = await send('PUT', `/v1/${projectId}/services/${id}`, { schedule: [{ type: 'stop', time_unit: 'HOURS', duration: 2 }], description: 'two hours' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ description: 'two hours', schedule: [{ type: 'stop', time_unit: 'HOURS', duration: 2 }] });
    await expect((await send('PUT', `/v1/${projectId}/services/${id}`, {})).json()).resolves.toMatchObject({ error_msg: 'Send status, schedule, description or config.' });

    const restarted = await api(`/v1/${projectId}/services/${id}/restart`, { method: 'POST' });
    expect(restarted.status).toBe(200);
    await waitFor(async () => (await statusOf(id)) === 'running', 30_000, 'running after restart');
    const events = ((await (await api(`/v1/${projectId}/services/${id}/events`)).json()) as { events: { message: string }[] }).events.map((e) => e.message);
    expect(events).toEqual(expect.arrayContaining(['Stopping service.', 'Service stopped.', 'Starting service.']));
  });
});
