/**
 * Setup for the gateway specs over the public REST API (what they check is clicked in the console):
 * a token, the iris package in a bucket of its own, AI-application versions, a deployed service.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type APIRequestContext } from '@playwright/test';
import { zipSync } from 'fflate';
import { ADMIN_PASSWORD } from './console';

export const IRIS_BODY = { data: { req_data: [{ sepal_length: 5.0, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 }] } };

export type TApi = { token: string; projectId: string; call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }> }; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function api(request: APIRequestContext): Promise<TApi> {
  const auth = await request.post('/v3/auth/tokens', {
    data: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: ADMIN_PASSWORD, domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } } },
  });
  expect(auth.status()).toBe(201);
  const token = auth.headers()['x-subject-token'];
  const projectId = ((await auth.json()) as { token: { project: { id: string } } }).token.project.id;
  return {
    token,
    projectId,
    async call(method, url, body, headers = {}) {
      const res = await request.fetch(url, { method, headers: { 'x-auth-token': token, ...headers }, ...(body === undefined ? {} : Buffer.isBuffer(body) ? { data: body } : { data: body as object }) });
      return { status: res.status(), json: await res.json().catch(() => ({})) };
    },
  };
}

/** Uploads iris into `bucket` and imports it as `name` at each of `versions`; returns their ids. */
export async function importIris(a: TApi, bucket: string, name: string, versions: string[]): Promise<string[]> {
  expect((await a.call('PUT', `/obs/${bucket}`)).status).toBe(201);
  const dir = path.resolve('examples/iris/model');
  const files: Record<string, Uint8Array> = {};
  for (const f of fs.readdirSync(dir)) files[`model/${f}`] = fs.readFileSync(path.join(dir, f));
  expect((await a.call('PUT', `/obs/${bucket}/iris?extract=zip`, Buffer.from(zipSync(files)), { 'content-type': 'application/zip' })).status).toBe(201);
  const ids: string[] = [];
  for (const version of versions) {
    const created = await a.call('POST', `/v1/${a.projectId}/models`, { model_name: name, model_version: version, source_location: `obs://${bucket}/iris` });
    expect(created.status).toBe(201);
    ids.push(created.json.model_id);
  }
  for (const id of ids) await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/models/${id}`)).json.model_status, { timeout: 30_000 }).toBe('normal');
  return ids;
}

/** Deploys one version on the process pool and waits for Running; returns the service id. */
export async function deploy(a: TApi, name: string, modelId: string): Promise<string> {
  const created = await a.call('POST', `/v1/${a.projectId}/services`, { service_name: name, schedule: [], config: [{ model_id: modelId, specification: 'cpu.1u2g' }] });
  expect(created.status).toBe(201);
  const id = created.json.service_id as string;
  await expect.poll(async () => (await a.call('GET', `/v1/${a.projectId}/services/${id}`)).json.status, { timeout: 60_000 }).toBe('running');
  return id;
}
