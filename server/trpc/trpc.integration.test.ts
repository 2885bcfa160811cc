/** The console's tRPC API over real HTTP: session login, and field errors for the forms. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let cookie = '';

async function trpc(path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') {
  const url = kind === 'query' ? `${anvil.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `${anvil.url}/api/trpc/${path}`;
  const res = await fetch(url, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: kind === 'query' ? undefined : JSON.stringify(input),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { result?: { data: unknown }; error?: { message: string; data: { code: string; field?: string } } } };
}

beforeAll(async () => {
  anvil = await startTestAnvil();
});
afterAll(() => stopTestAnvil(anvil));

describe('console sessions', () => {
  it('refuses a wrong password and anonymous calls', async () => {
    const wrong = await trpc('auth.login', { userName: 'admin', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toBe('The user name, password or domain name is incorrect.');
    expect((await trpc('auth.me', undefined, 'query')).status).toBe(401);
  });

  it('logs in with an HttpOnly session cookie and logs out', async () => {
    const ok = await trpc('auth.login', { userName: 'admin', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(200);
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^anvil_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    cookie = setCookie.split(';')[0];
    expect((await trpc('auth.me', undefined, 'query')).body.result?.data).toMatchObject({ userName: 'admin', projectName: 'default' });
  });
});

describe('form errors carry the field', () => {
  it('schema errors name the field', async () => {
    const res = await trpc('apps.create', { name: 'bad name', sourceUri: 'obs://models/iris' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ message: 'Only letters, Chinese characters, digits, "-" and "_" are allowed.', data: { field: 'name' } });
    const svc = await trpc('services.create', { name: 'ok', appId: 'x', flavor: 'cpu.1u2g', deployTimeoutMinutes: 121 });
    expect(svc.body.error).toMatchObject({ message: 'At most 120 minutes.', data: { field: 'deployTimeoutMinutes' } });
  });

  it('core errors name the field', async () => {
    await trpc('obs.createBucket', { name: 'models' });
    const res = await trpc('apps.create', { name: 'iris', sourceUri: 'obs://models/nothing' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ message: 'The chosen model directory does not exist.', data: { field: 'sourceUri' } });
    const dup = await trpc('obs.createBucket', { name: 'models' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ message: 'Bucket models already exists.', data: { field: 'name' } });
  });

  it('logging out ends the session', async () => {
    expect((await trpc('auth.logout', {})).status).toBe(200);
    expect((await trpc('auth.me', undefined, 'query')).status).toBe(401);
  });
});
