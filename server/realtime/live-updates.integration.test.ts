/** Live updates over socket.io against a real server: authenticated by the console session, scoped per resource. */
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TEventRecord } from '../contracts/events';
import type { TServiceSummary } from '../contracts/services';
import { ADMIN_PASSWORD, getToken, startTestAnvil, waitFor, zipFolder, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let cookie: string;
const sockets: Socket[] = [];

/** Logs in through tRPC like the console does and returns the session cookie. */
async function login(): Promise<string> {
  const res = await fetch(`${anvil.url}/api/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0];
}

function connect(withCookie?: string): Promise<Socket> {
  const socket = io(anvil.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: withCookie ? { cookie: withCookie } : {}, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

beforeAll(async () => {
  anvil = await startTestAnvil();
  cookie = await login();
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await anvil?.close();
  if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
});

describe('socket.io live updates', () => {
  it('refuses a socket without a console session', async () => {
    await expect(connect()).rejects.toThrow('unauthorized');
  });

  it('refuses topics that are malformed or belong to no resource of the project', async () => {
    const socket = await connect(cookie);
    expect(await socket.emitWithAck('subscribe', 'everything')).toEqual({ ok: false, error: 'unknown topic' });
    expect(await socket.emitWithAck('subscribe', 'service:00000000-0000-4000-8000-000000000000')).toEqual({ ok: false, error: 'not found' });
  });

  it('pushes service status and events as a deployment happens', async () => {
    const socket = await connect(cookie);
    expect(await socket.emitWithAck('subscribe', 'services')).toEqual({ ok: true });
    const statuses: string[] = [];
    socket.on('service:update', (s: TServiceSummary) => statuses.push(s.status));

    const { token, projectId } = await getToken(anvil.url);
    const call = (p: string, init: RequestInit) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as object) } });
    await call('/obs/models', { method: 'PUT' });
    await call('/obs/models/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')) });
    const model = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'iris', source_location: 'obs://models/iris' }) })).json()) as { model_id: string };
    await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model.model_id}`, {})).json()) as { model_status: string }).model_status === 'normal');

    const created = (await (
      await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify({ service_name: 'live', config: [{ model_id: model.model_id, specification: 'cpu.1u2g' }] }) })
    ).json()) as { service_id: string };
    await waitFor(async () => statuses.includes('running'), 20_000, 'running pushed');
    expect(statuses[0]).toBe('deploying');

    // On the service's own topic: an instance dies, the event and the new instance list arrive.
    const detail = await connect(cookie);
    const events: string[] = [];
    const instanceStatuses: string[] = [];
    detail.on('event:new', (e: TEventRecord) => events.push(e.message));
    detail.on('service:instances', ({ instances }: { instances: { status: string }[] }) => instanceStatuses.push(...instances.map((i) => i.status)));
    expect(await detail.emitWithAck('subscribe', `service:${created.service_id}`)).toEqual({ ok: true });
    const [instance] = anvil.core.reconciler.instancesOf(created.service_id);
    process.kill(instance.pid!, 'SIGKILL');
    await waitFor(async () => events.some((m) => m.endsWith('exited unexpectedly (signal SIGKILL), restarting it.')), 10_000, 'exit event pushed');
    await waitFor(async () => instanceStatuses.includes('exited') && instanceStatuses.at(-1) === 'ready', 10_000, 'instance back');
  });
});
