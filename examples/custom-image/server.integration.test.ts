/**
 * The example custom image's server, run with the local python3 on a free port: HTTP routes, the
 * health flag, Server-Sent Events timing, and the hand-made WebSocket (frames built here by hand too).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateModelConfig } from '../../server/core/registry/config-schema';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-example-custom-'));
const UNHEALTHY = path.join(scratch, 'unhealthy');
let server: ChildProcess;
let base = '';

beforeAll(async () => {
  server = spawn('python3', [path.join(HERE, 'server.py')], { env: { ...process.env, PORT: '0', UNHEALTHY_FILE: UNHEALTHY }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on 0\.0\.0\.0:(\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server.py exited (${code}): ${out}`)));
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server?.kill('SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
});

const post = (body: string) => fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('HTTP', () => {
  it('describes itself and reports health from the flag file', async () => {
    expect(await (await fetch(`${base}/`)).json()).toMatchObject({ name: 'anvil-example-custom' });
    const healthy = await fetch(`${base}/health`);
    expect([healthy.status, await healthy.json()]).toEqual([200, { status: 'ok' }]);
    fs.writeFileSync(UNHEALTHY, '');
    expect((await fetch(`${base}/health`)).status).toBe(500);
    fs.rmSync(UNHEALTHY);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('sums the numbers it is sent, and refuses other bodies', async () => {
    expect(await (await post('{"data": [1, 2.5, -0.5]}')).json()).toEqual({ data: [1, 2.5, -0.5], sum: 3, count: 3 });
    expect((await post('{"data": ["x"]}')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('streams count events about 50 ms apart, then ends', async () => {
    const res = await fetch(`${base}/sse?count=5`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const arrivals: number[] = [];
    let text = '';
    let reads = 0;
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      reads++;
      text += decoder.decode(chunk.value, { stream: true });
      while (arrivals.length < (text.match(/\n\n/g) ?? []).length) arrivals.push(performance.now());
    }
    const events = text.split('\n\n').filter(Boolean).map((e) => JSON.parse(/^data: (.*)$/m.exec(e)![1]));
    expect(events).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    // Timed from the client, a busy machine can bunch two events into one read; what cannot happen is
    // the stream arriving in one piece, or faster than the server's four 50 ms pauses.
    expect(reads).toBeGreaterThanOrEqual(3);
    expect(arrivals[4] - arrivals[0]).toBeGreaterThan(150);
    expect(arrivals[4] - arrivals[0]).toBeLessThan(2000);
    expect((await fetch(`${base}/sse?count=0`)).status).toBe(400);
  });

  it('is the config.json of a valid custom-image application', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(HERE, 'model/config.json'), 'utf8'));
    const { config, issues } = validateModelConfig(raw);
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ model_type: 'Image', apis: [{ url: '/predict', method: 'post' }] });
  });
});

/** A client frame: FIN set, masked with a random key as RFC 6455 §5.3 requires. */
function clientFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  const mask = crypto.randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]) : Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff]);
  if (!masked) return Buffer.concat([header, payload]);
  return Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

type TFrame = { opcode: number; payload: Buffer };

/** Opens /ws and hands back the socket and a reader of the server's (unmasked) frames. */
async function openWebSocket(): Promise<{ socket: Duplex; next: () => Promise<TFrame>; ended: Promise<void> }> {
  const key = crypto.randomBytes(16).toString('base64');
  const req = http.request(`${base}/ws`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' } });
  const [res, socket, head] = await new Promise<[http.IncomingMessage, Duplex, Buffer]>((resolve, reject) => {
    req.on('upgrade', (...args) => resolve(args));
    req.on('response', (r) => reject(new Error(`no upgrade: ${r.statusCode}`)));
    req.on('error', reject).end();
  });
  const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  expect(res.headers['sec-websocket-accept']).toBe(accept);
  let buffered = head;
  let wake = () => {};
  socket.on('data', (b: Buffer) => ((buffered = Buffer.concat([buffered, b])), wake()));
  const ended = new Promise<void>((resolve) => socket.on('end', resolve));
  const next = async (): Promise<TFrame> => {
    for (;;) {
      const short = buffered.length >= 2 ? buffered[1] & 0x7f : -1; // server frames are never masked
      const headerLength = short === 126 ? 4 : 2; // 127 (64-bit length) never occurs in these tests
      const length = short === 126 && buffered.length >= 4 ? buffered.readUInt16BE(2) : short;
      if (short >= 0 && buffered.length >= headerLength + length) {
        const frame = { opcode: buffered[0] & 0x0f, payload: buffered.subarray(headerLength, headerLength + length) };
        buffered = buffered.subarray(headerLength + length);
        return frame;
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
  return { socket, next, ended };
}

describe('WebSocket', () => {
  it('echoes text, answers pings, and closes with the code it is sent', async () => {
    const ws = await openWebSocket();
    ws.socket.write(clientFrame(0x1, Buffer.from('hello, anvil')));
    expect(await ws.next()).toEqual({ opcode: 0x1, payload: Buffer.from('echo: hello, anvil') });
    ws.socket.write(clientFrame(0x9, Buffer.from('p1')));
    expect(await ws.next()).toEqual({ opcode: 0xa, payload: Buffer.from('p1') });
    ws.socket.write(clientFrame(0x1, Buffer.from('x'.repeat(300))));
    expect(await ws.next()).toEqual({ opcode: 0x1, payload: Buffer.from(`echo: ${'x'.repeat(300)}`) });
    ws.socket.destroy();

    const second = await openWebSocket();
    second.socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
    expect(await second.next()).toEqual({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) });
    await second.ended;
  });

  it('closes with 1002 on an unmasked client frame', async () => {
    const ws = await openWebSocket();
    ws.socket.write(clientFrame(0x1, Buffer.from('bare'), false));
    const frame = await ws.next();
    expect([frame.opcode, frame.payload.readUInt16BE(0)]).toEqual([0x8, 1002]);
    await ws.ended;
  });
});
