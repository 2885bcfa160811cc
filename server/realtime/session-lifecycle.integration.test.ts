/** socket.io against a real server: a socket lives only as long as its console session, and only Anvil's own pages may open one. */
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../core/iam/iam';
import { ADMIN_PASSWORD, startTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let adminCookie: string;
const sockets: Socket[] = [];

async function trpc(path: string, input: unknown, cookie: string) {
  const res = await fetch(`${anvil.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data: unknown }; error?: { message: string } };
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.error?.message}`);
  return { data: body.result!.data, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}
const login = async (userName = 'admin', password = ADMIN_PASSWORD) => (await trpc('auth.login', { userName, password }, '')).cookie;

function connect(cookie: string, headers: Record<string, string> = {}): Promise<Socket> {
  const socket = io(anvil.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, ...headers }, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Resolves with the disconnect reason, or "still connected" after `ms`. */
function disconnectWithin(socket: Socket, ms: number): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still connected'), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

const sessionOf = (cookie: string) => tokenHash(decodeURIComponent(cookie.split('=')[1]));

beforeAll(async () => {
  anvil = await startTestAnvil();
  adminCookie = await login();
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await anvil?.close();
  if (anvil) fs.rmSync(anvil.dataDir, { recursive: true, force: true });
});

describe('a socket lives only as long as its session', () => {
  it('is disconnected when its session logs out, and cannot connect again with it', async () => {
    const cookie = await login();
    const socket = await connect(cookie);
    expect(await socket.emitWithAck('subscribe', 'apps')).toEqual({ ok: true });
    const gone = disconnectWithin(socket, 3000);
    await trpc('auth.logout', {}, cookie);
    expect(await gone).toBe('io server disconnect');
    await expect(connect(cookie)).rejects.toThrow('unauthorized');
  });

  it('checks the session again on every subscription', async () => {
    const cookie = await login();
    const socket = await connect(cookie);
    expect(await socket.emitWithAck('subscribe', 'services')).toEqual({ ok: true });
    // The session ends without this process being told (its row expires in the database).
    anvil.core.db.prepare('UPDATE tokens SET expires_at = ? WHERE hash = ?').run(Date.now() - 1, sessionOf(cookie));
    const gone = disconnectWithin(socket, 3000);
    expect(await socket.timeout(2000).emitWithAck('subscribe', 'apps').catch(() => 'no answer')).toEqual({ ok: false, error: 'unauthorized' });
    expect(await gone).toBe('io server disconnect');
  });

  it('is disconnected when its session expires', async () => {
    const cookie = await login();
    anvil.core.db.prepare('UPDATE tokens SET expires_at = ? WHERE hash = ?').run(Date.now() + 1500, sessionOf(cookie));
    const socket = await connect(cookie);
    expect(await socket.emitWithAck('subscribe', 'apps')).toEqual({ ok: true });
    const started = Date.now();
    expect(await disconnectWithin(socket, 5000)).toBe('io server disconnect');
    expect(Date.now() - started).toBeGreaterThan(800);
  });

  it('is disconnected when the administrator removes its user from the project', async () => {
    const projects = (await (await fetch(`${anvil.url}/api/trpc/admin.projects`, { headers: { cookie: adminCookie } })).json()) as { result: { data: { id: string; name: string }[] } };
    const def = projects.result.data.find((p) => p.name === 'default')!;
    const { data: spare } = (await trpc('admin.createProject', { name: 'spare' }, adminCookie)) as { data: { id: string } };
    // A member of two projects: removing one of them is allowed (the last one never is).
    const { data: bob } = (await trpc('admin.createUser', { name: 'bob', password: 'bob-password', projectIds: [def.id, spare.id] }, adminCookie)) as { data: { id: string } };
    const bobCookie = await login('bob', 'bob-password');
    const socket = await connect(bobCookie);
    const gone = disconnectWithin(socket, 3000);
    await trpc('admin.removeMember', { userId: bob.id, projectId: def.id }, adminCookie);
    expect(await gone).toBe('io server disconnect');
    await expect(connect(bobCookie)).rejects.toThrow('unauthorized');
  });
});

describe('handshake origin', () => {
  it('refuses a page of another site and allows Anvil own pages and clients without Origin', async () => {
    await expect(connect(adminCookie, { origin: 'http://evil.example' })).rejects.toThrow();
    const polling = await fetch(`${anvil.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: adminCookie, origin: 'http://evil.example' } });
    expect(polling.status).toBe(403);
    const own = await connect(adminCookie, { origin: anvil.url });
    expect(await own.emitWithAck('subscribe', 'apps')).toEqual({ ok: true });
    const noOrigin = await connect(adminCookie);
    expect(noOrigin.connected).toBe(true);
  });
});
