/**
 * forwardUpgrade between a real `ws` client and a real instance — a `ws` server, and the example
 * custom image's hand-written Python server — through a bare node:http server that proxies every
 * upgrade: frames, pings and close codes arrive as the instance sent them, and each connection ends once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { forwardUpgrade, rejectUpgrade, type TWsOutcome } from './ws-forward';

type TFailure = 'INSTANCE_UNREACHABLE' | 'PREDICTION_TIMEOUT';
const listen = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The instance: echoes every message as it came (text stays text), greets, and obeys a few commands.
const instanceHttp = http.createServer();
const wss = new WebSocketServer({ noServer: true, maxPayload: 4 << 20 });
let serverSide: Promise<WebSocket>;
let resolveServerSide: (ws: WebSocket) => void;
instanceHttp.on('upgrade', (req, socket, head) => {
  if (req.url === '/refuse') return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nno socket');
  wss.handleUpgrade(req, socket, head, (ws) => {
    resolveServerSide(ws);
    ws.send('welcome');
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'close-me') ws.close(4001, 'server says bye');
      else ws.send(data, { binary: isBinary });
    });
  });
});

// The gateway stand-in: every upgrade goes to `target` with the options of the test.
let target = { host: '127.0.0.1', port: 0 };
let options = { idleMs: 10_000, connectTimeoutMs: 2000 };
let outcomes: TWsOutcome[] = [];
let failures: TFailure[] = [];
const proxy = http.createServer();
proxy.on('upgrade', (req, socket, head) => {
  forwardUpgrade(req, socket, head, {
    target: { instanceId: 'i-1', ...target }, path: req.url!, headers: req.headers, ...options,
    fail: (error) => {
      failures.push(error);
      const status = error === 'PREDICTION_TIMEOUT' ? 504 : 502;
      rejectUpgrade(socket, status, { 'content-type': 'application/json' }, JSON.stringify({ error_code: error }));
      return status;
    },
    onEnd: (outcome) => outcomes.push(outcome),
  });
});

let instancePort = 0;
let proxyUrl = '';
beforeAll(async () => {
  instancePort = await listen(instanceHttp);
  proxyUrl = `ws://127.0.0.1:${await listen(proxy)}`;
});
afterAll(() => {
  proxy.close();
  instanceHttp.close();
  wss.close();
});
beforeEach(() => {
  target = { host: '127.0.0.1', port: instancePort };
  options = { idleMs: 10_000, connectTimeoutMs: 2000 };
  outcomes = [];
  failures = [];
  serverSide = new Promise((resolve) => (resolveServerSide = resolve));
});

/** Waits for the connection's outcome, then a little longer to catch a second one. */
async function onlyOutcome(): Promise<TWsOutcome> {
  for (let i = 0; i < 100 && outcomes.length === 0; i++) await sleep(20);
  await sleep(100);
  expect(outcomes).toHaveLength(1);
  return outcomes[0];
}

/** Opens a client and collects what it receives. */
async function open(url = `${proxyUrl}/chat?x=1`) {
  const ws = new WebSocket(url);
  const messages: { data: Buffer; isBinary: boolean }[] = [];
  ws.on('message', (data: Buffer, isBinary) => messages.push({ data, isBinary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = async (n: number) => {
    for (let i = 0; i < 250 && messages.length < n; i++) await sleep(20);
    return messages.slice(0, n);
  };
  return { ws, messages, closed, next };
}

/** Upgrades that do not become a WebSocket: the status and body the client was answered. */
function refused(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.on('open', () => reject(new Error('the upgrade should have been refused')));
    ws.on('error', () => undefined); // the library reports the refusal as an error too
  });
}

describe('frames', () => {
  it('passes text and binary both ways, a 1 MB message, and bytes in order', async () => {
    const c = await open();
    const big = crypto.randomBytes(1 << 20);
    c.ws.send('héllo');
    c.ws.send(Buffer.from([0, 1, 2, 255]));
    c.ws.send(big);
    const got = await c.next(4);
    expect(got.map((m) => [m.isBinary, m.isBinary ? m.data.length : m.data.toString()])).toEqual([[false, 'welcome'], [false, 'héllo'], [true, 4], [true, big.length]]);
    expect(got[2].data.equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(got[3].data.equals(big)).toBe(true);
    c.ws.close();
    await c.closed;
    const outcome = await onlyOutcome();
    expect(outcome.closedBy).toBe('client');
    expect(outcome.status).toBe(101);
    expect(outcome.bytesIn).toBeGreaterThan(big.length);
    expect(outcome.bytesOut).toBeGreaterThan(big.length);
  });

  it('hands the 101 with the instance\'s own Sec-WebSocket-* answer, and the path and query as sent', async () => {
    const seen = new Promise<string>((resolve) => wss.once('headers', (_h, req) => resolve(req.url!)));
    const ws = new WebSocket(`${proxyUrl}/v2/stream?q=1`, ['chat.v1', 'chat.v2']);
    const upgrade = new Promise<http.IncomingMessage>((resolve) => ws.once('upgrade', resolve));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(await seen).toBe('/v2/stream?q=1');
    expect(ws.protocol).toBe('chat.v1'); // ws servers pick the first offered protocol
    expect((await upgrade).headers['sec-websocket-accept']).toBeTruthy();
    ws.terminate();
    expect((await onlyOutcome()).closedBy).toBe('client');
  });

  it('forwards the bytes a client sent with its handshake (the upgrade head)', async () => {
    const key = crypto.randomBytes(16).toString('base64');
    const payload = Buffer.from('early');
    const mask = crypto.randomBytes(4);
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4])]);
    const raw = net.connect(Number(new URL(proxyUrl).port), '127.0.0.1');
    raw.write(Buffer.concat([Buffer.from(`GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`), frame]));
    let received = Buffer.alloc(0);
    raw.on('data', (c: Buffer) => (received = Buffer.concat([received, c])));
    for (let i = 0; i < 100 && !received.includes('early'); i++) await sleep(20);
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect(received.includes('early')).toBe(true);
    raw.destroy();
    await onlyOutcome();
  });
});

describe('control frames and close codes', () => {
  it('delivers the instance\'s close code and reason to the client', async () => {
    const c = await open();
    c.ws.send('close-me');
    expect(await c.closed).toEqual({ code: 4001, reason: 'server says bye' });
    expect((await onlyOutcome()).closedBy).toBe('instance');
  });

  it('delivers the client\'s close code and reason to the instance', async () => {
    const c = await open();
    const server = await serverSide;
    const atServer = new Promise((resolve) => server.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    c.ws.close(4002, 'client says bye');
    expect(await atServer).toEqual({ code: 4002, reason: 'client says bye' });
    expect(await c.closed).toEqual({ code: 4002, reason: 'client says bye' });
    expect((await onlyOutcome()).closedBy).toBe('client');
  });

  it('passes pings and their pongs both ways', async () => {
    const c = await open();
    const server = await serverSide;
    const pongAtServer = new Promise<string>((resolve) => server.once('pong', (d) => resolve(d.toString())));
    const pingAtClient = new Promise<string>((resolve) => c.ws.once('ping', (d) => resolve(d.toString())));
    server.ping('from-instance');
    expect(await pingAtClient).toBe('from-instance');
    expect(await pongAtServer).toBe('from-instance'); // the client library's automatic pong
    const pongAtClient = new Promise<string>((resolve) => c.ws.once('pong', (d) => resolve(d.toString())));
    c.ws.ping('from-client');
    expect(await pongAtClient).toBe('from-client');
    c.ws.close(1000);
    await c.closed;
    await onlyOutcome();
  });

  it('closes both sides with 1001 when nothing passes for idleMs, and not while traffic flows', async () => {
    options.idleMs = 300;
    const c = await open();
    const server = await serverSide;
    const atServer = new Promise((resolve) => server.on('close', (code) => resolve(code)));
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      c.ws.send(`keep ${i}`);
    }
    expect((await c.next(5)).length).toBe(5);
    const silentSince = performance.now();
    expect(await c.closed).toEqual({ code: 1001, reason: 'idle timeout' });
    const waited = performance.now() - silentSince;
    expect(waited).toBeGreaterThan(200);
    expect(waited).toBeLessThan(1500);
    expect(await atServer).toBe(1001);
    expect((await onlyOutcome()).closedBy).toBe('idle');
  });
});

describe('failures', () => {
  it('relays the instance\'s refusal of the upgrade as it was given', async () => {
    expect(await refused(`${proxyUrl}/refuse`)).toEqual({ status: 404, body: 'no socket' });
    expect(failures).toEqual([]);
    // Counted as the 404 the client got, not as an upgrade.
    expect(await onlyOutcome()).toMatchObject({ closedBy: 'instance', status: 404 });
  });

  it('answers the gateway\'s error when the instance is down', async () => {
    const closed = net.createServer();
    target.port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const answer = await refused(`${proxyUrl}/chat`);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([502, { error_code: 'INSTANCE_UNREACHABLE' }]);
    expect(failures).toEqual(['INSTANCE_UNREACHABLE']);
    expect(await onlyOutcome()).toMatchObject({ closedBy: 'error', status: 502 });
  });

  it('times out an instance that accepts the connection but never answers the handshake', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => sockets.push(s.resume())); // reads, so it sees the proxy hang up
    target.port = await listen(mute);
    options.connectTimeoutMs = 300;
    const started = performance.now();
    const answer = await refused(`${proxyUrl}/chat`);
    expect(performance.now() - started).toBeGreaterThan(250);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([504, { error_code: 'PREDICTION_TIMEOUT' }]);
    expect(failures).toEqual(['PREDICTION_TIMEOUT']);
    expect(await onlyOutcome()).toMatchObject({ closedBy: 'error', status: 504 });
    for (let i = 0; i < 50 && sockets.some((s) => !s.destroyed); i++) await sleep(20); // the proxy hung up on the instance
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    mute.close();
  });
});

describe('a non-Node instance: the example custom image\'s hand-written server', () => {
  let python: ChildProcess;
  let pythonPort = 0;
  beforeAll(async () => {
    python = spawn('python3', [path.resolve('examples/custom-image/server.py')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    pythonPort = Number(await new Promise<string>((resolve, reject) => {
      let out = '';
      python.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on 0\.0\.0\.0:(\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      python.on('exit', (code) => reject(new Error(`server.py exited (${code}): ${out}`)));
    }));
  });
  afterAll(() => void python?.kill('SIGTERM'));
  afterEach(() => void (target.port = instancePort));

  it('echoes text, binary and pings, and returns the client\'s close code', async () => {
    target.port = pythonPort;
    const c = await open(`${proxyUrl}/ws`);
    c.ws.send('hello');
    c.ws.send('你好');
    c.ws.send(Buffer.from([9, 8, 7]));
    const pong = new Promise<string>((resolve) => c.ws.once('pong', (d) => resolve(d.toString())));
    c.ws.ping('p');
    expect(await pong).toBe('p');
    const got = await c.next(3);
    expect(got.map((m) => (m.isBinary ? [...m.data] : m.data.toString()))).toEqual(['echo: hello', 'echo: 你好', [9, 8, 7]]);
    c.ws.close(4002, 'done');
    expect((await c.closed).code).toBe(4002);
    expect((await onlyOutcome()).closedBy).toBe('client');
  });
});
