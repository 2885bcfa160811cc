/** Object storage under overlapping and clashing requests: one request's failure never takes Anvil down. */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';

let anvil: TTestAnvil;
let token: string;
const api = (p: string, init: RequestInit = {}) => fetch(`${anvil.url}${p}`, { ...init, headers: { 'x-auth-token': token, ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  anvil = await startTestAnvil();
  ({ token } = await getToken(anvil.url));
  expect((await api('/obs/races', { method: 'PUT' })).status).toBe(201);
});
afterAll(() => stopTestAnvil(anvil));

it('a download pipelined with the delete of the same object is answered, and Anvil keeps serving', async () => {
  const { port } = new URL(anvil.url);
  for (let round = 0; round < 20; round++) {
    expect((await api('/obs/races/obj.txt', { method: 'PUT', body: 'x'.repeat(100_000) })).status).toBe(201);
    const socket = net.connect(Number(port), '127.0.0.1');
    const head = `Host: 127.0.0.1\r\nX-Auth-Token: ${token}\r\n`;
    socket.write(`GET /obs/races/obj.txt HTTP/1.1\r\n${head}\r\nDELETE /obs/races/obj.txt HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 (200|404)/);
  }
  expect((await api('/obs/races/')).status).toBe(200);
});

it('an object key that clashes with an object or a folder is 409, not 500', async () => {
  expect((await api('/obs/races/dir/f.txt', { method: 'PUT', body: 'a' })).status).toBe(201);
  const under = await api('/obs/races/dir/f.txt/g', { method: 'PUT', body: 'b' });
  expect(under.status).toBe(409);
  expect(await under.json()).toMatchObject({ error_code: 'ModelArts.0103', field: 'key' });
  expect((await api('/obs/races/dir', { method: 'PUT', body: 'c' })).status).toBe(409);
});
