/**
 * Logins cannot be used to enumerate users, guess passwords or stall Anvil (issue 5 §1), over real
 * HTTP on both doors: `POST /v3/auth/tokens` and the console's tRPC `auth.login`.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, getToken, startTestAnvil, waitFor, type TTestAnvil } from '../test-support/anvil-harness';
import { deployExample } from '../test-support/deploy-example';

type TReply = { status: number; ms: number; retryAfter?: string; body: Record<string, unknown> };

const started: TTestAnvil[] = [];
afterAll(async () => {
  for (const anvil of started) {
    await anvil.close();
    fs.rmSync(anvil.dataDir, { recursive: true, force: true });
  }
});
async function anvilWith(loginLimits: NonNullable<Parameters<typeof startTestAnvil>[1]>['loginLimits']) {
  const anvil = await startTestAnvil(undefined, { loginLimits });
  started.push(anvil);
  return anvil;
}

/** One POST on a fresh connection from `localAddress` (any 127.x address reaches the server on Linux). */
function post(url: string, path: string, body: unknown, localAddress = '127.0.0.1', headers: Record<string, string> = {}): Promise<TReply> {
  const t0 = performance.now();
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ms: performance.now() - t0,
          retryAfter: res.headers['retry-after'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const tokenLogin = (url: string, userName: string, password: string, address?: string) =>
  post(url, '/v3/auth/tokens', {
    auth: { identity: { methods: ['password'], password: { user: { name: userName, password, domain: { name: 'anvil' } } } }, scope: { project: { name: 'default' } } },
  }, address);
const consoleLogin = (url: string, userName: string, password: string, address?: string) => post(url, '/api/trpc/auth.login', { userName, password }, address);
const trpcError = (r: TReply) => (r.body.error ?? {}) as { message?: string; data?: { code?: string } };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('user names cannot be enumerated by timing', () => {
  it('an unknown user and a known user with a wrong password take comparable time (medians of 10 within 3×)', async () => {
    const anvil = await anvilWith({ userMaxFailures: 1000, addressMaxAttempts: 1000 });
    await tokenLogin(anvil.url, 'warm-up', 'x');
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 10; i++) {
      const u = await tokenLogin(anvil.url, `nobody-${i}`, 'wrong');
      const k = await tokenLogin(anvil.url, 'admin', `wrong-${i}`);
      expect([u.status, k.status]).toEqual([401, 401]);
      expect(u.body.error_msg).toBe(k.body.error_msg);
      unknown.push(u.ms);
      known.push(k.ms);
    }
    const [fast, slow] = [median(unknown), median(known)].sort((a, b) => a - b);
    expect(slow / fast, `medians: unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`).toBeLessThan(3);
  });
});

describe('a user is locked after 5 failures, on both doors', () => {
  it('REST: the 6th attempt answers 429 with Retry-After, the right password too, until the lock ends; a success resets the count', async () => {
    const anvil = await anvilWith({ userLockMs: 1500 });
    for (let i = 0; i < 5; i++) expect((await tokenLogin(anvil.url, 'admin', `guess-${i}`)).status).toBe(401);
    const sixth = await tokenLogin(anvil.url, 'admin', 'guess-6');
    expect(sixth.status).toBe(429);
    expect(sixth.retryAfter).toBe('2');
    expect(sixth.body).toMatchObject({ error_code: 'ModelArts.0113', error_msg: 'Too many failed logins for this user; try again in 2 seconds.' });
    const right = await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD);
    expect([right.status, right.retryAfter]).toEqual([429, '2']);

    await sleep(1600);
    expect((await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD)).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await tokenLogin(anvil.url, 'admin', `again-${i}`)).status).toBe(401);
    expect((await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD)).status).toBe(201);
  });

  it('console (tRPC auth.login): TOO_MANY_REQUESTS with the same message; unknown users are locked alike', async () => {
    const anvil = await anvilWith({ userLockMs: 1500 });
    for (let i = 0; i < 5; i++) expect(trpcError(await consoleLogin(anvil.url, 'admin', `guess-${i}`)).data?.code).toBe('UNAUTHORIZED');
    const locked = await consoleLogin(anvil.url, 'admin', ADMIN_PASSWORD);
    expect(locked.status).toBe(429);
    expect(trpcError(locked)).toMatchObject({ message: 'Too many failed logins for this user; try again in 2 seconds.', data: { code: 'TOO_MANY_REQUESTS' } });
    for (let i = 0; i < 5; i++) await consoleLogin(anvil.url, 'ghost', `guess-${i}`);
    expect(trpcError(await consoleLogin(anvil.url, 'ghost', 'guess-6')).message).toBe('Too many failed logins for this user; try again in 2 seconds.');
  });
});

describe('one address is limited to its attempts per minute', () => {
  it('answers 429 with Retry-After past the limit, on both doors, for that address only; correct logins are not counted', async () => {
    const anvil = await anvilWith({ addressMaxAttempts: 5 });
    for (let i = 0; i < 5; i++) expect((await tokenLogin(anvil.url, `sprayed-${i}`, 'password1', '127.0.0.2')).status).toBe(401);
    const over = await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD, '127.0.0.2');
    expect(over.status).toBe(429);
    expect(Number(over.retryAfter)).toBeGreaterThan(50);
    expect(over.body.error_msg).toMatch(/^Too many login attempts from this address; try again in \d+ seconds\.$/);
    expect(trpcError(await consoleLogin(anvil.url, 'admin', ADMIN_PASSWORD, '127.0.0.2')).data?.code).toBe('TOO_MANY_REQUESTS');

    expect((await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD, '127.0.0.3')).status).toBe(201);
    for (let i = 0; i < 8; i++) expect((await tokenLogin(anvil.url, 'admin', ADMIN_PASSWORD, '127.0.0.4')).status).toBe(201);
  });
});

/**
 * The two outside parties of the burst test, each in its own process as they would be (so Anvil's
 * event loop does only Anvil's work): a client predicting in a loop on a keep-alive connection, and
 * an attacker sending 100 wrong logins at once to POST /v3/auth/tokens (4 for each of 25 existing
 * users) from 127.0.0.5. Each waits for "go" on stdin and prints JSON when done. (The console door shares the
 * limiter, tested above; its tRPC transport costs about twice a REST request of Anvil's event loop
 * whatever the procedure, so a flood of console calls is a transport matter, not a login one.)
 */
const CLIENTS = `
  const http = require('node:http');
  const [role, url, serviceId, token] = process.argv.slice(1);
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (path, body, opts = {}) => new Promise((resolve) => {
    const req = http.request({ hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers }, ...opts.request }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
  const row = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 };
  const predict = () => post('/v1/infers/' + serviceId, { data: { req_data: [row] } }, { headers: { 'x-auth-token': token }, request: { agent } });
  // The attacker's 100 connections are open before the burst, so its 100 requests land together.
  const attackerAgent = new http.Agent({ keepAlive: true, maxSockets: 100, localAddress: '127.0.0.5' });
  const login = (i) => {
    const user = { name: i % 25 ? 'user-' + (i % 25) : 'admin', password: 'wrong-' + i, domain: { name: 'anvil' } };
    const body = { auth: { identity: { methods: ['password'], password: { user } }, scope: { project: { name: 'default' } } } };
    return post('/v3/auth/tokens', body, { request: { agent: attackerAgent } });
  };
  const done = (result) => process.stdout.write(JSON.stringify(result), () => process.exit(0));
  (async () => {
    for (let i = 0; i < 5; i++) await predict(); // warm: connection open, lazy paths loaded
    if (role === 'attacker') await Promise.all(Array.from({ length: 100 }, () => post('/v3/auth/tokens', {}, { request: { agent: attackerAgent } }))); // 400s
    process.stdout.write('ready\\n');
    let stopping = false;
    process.stdin.on('data', () => (stopping = true));
    await new Promise((r) => process.stdin.once('data', r));
    stopping = false;
    if (role === 'attacker') return done(await Promise.all(Array.from({ length: 100 }, (_, i) => login(i))));
    const results = [];
    while (!stopping) {
      const t0 = performance.now();
      const status = await predict();
      results.push({ status, ms: performance.now() - t0 });
    }
    done(results);
  })();
`;

/** Starts one outside party; `signal()` writes a line to it, `result()` waits for its JSON. */
async function startClient(role: 'predictor' | 'attacker', url: string, serviceId: string, token: string) {
  const child = spawn(process.execPath, ['-e', CLIENTS, role, url, serviceId, token], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  await waitFor(async () => out.startsWith('ready\n'), 15_000, `${role} ready`, 20);
  return {
    signal: () => child.stdin.write('go\n'),
    result: async <T>() => {
      await exited;
      return JSON.parse(out.slice('ready\n'.length)) as T;
    },
  };
}

describe('a burst of wrong logins does not stall predictions', () => {
  it('100 concurrent wrong logins (25 users) while a client predicts in a loop: predictions keep flowing (p99 under 50 ms, none over 500 ms)', async () => {
    // The per-address limit off: every one of the 100 logins is really checked (hashed) during the burst.
    const anvil = await anvilWith({ addressMaxAttempts: 1000 });
    const auth = await getToken(anvil.url);
    // Real users: a wrong password for an unknown name used to cost nothing, for a real one a blocking hash.
    for (let i = 1; i < 25; i++) {
      const res = await fetch(`${anvil.url}/v3/users`, {
        method: 'POST',
        headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { name: `user-${i}`, password: `password-${i}`, projects: ['default'] } }),
      });
      expect(res.status).toBe(201);
    }
    const serviceId = await deployExample(anvil.url, auth, 'iris');
    // Warm-up, as a server that has been up a while is: the first check starts the hashing worker.
    expect((await tokenLogin(anvil.url, 'warm-up', 'x', '127.0.0.6')).status).toBe(401);
    const [predictor, attacker] = await Promise.all([
      startClient('predictor', anvil.url, serviceId, auth.token),
      startClient('attacker', anvil.url, serviceId, auth.token),
    ]);

    predictor.signal();
    await sleep(50);
    attacker.signal();
    const statuses = await attacker.result<number[]>();
    await sleep(100);
    predictor.signal();
    const predictions = await predictor.result<{ status: number; ms: number }[]>();

    const latencies = predictions.map((p) => p.ms);
    expect(predictions.every((p) => p.status === 200)).toBe(true);
    expect(latencies.length).toBeGreaterThan(5);
    // scrypt on the event loop would hold every prediction for seconds; on a busy 2-core CI machine one
    // prediction in thousands can still meet a garbage collection or the scheduler, so the tail is p99.
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)];
    const summary = `p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms over ${sorted.length}`;
    expect(p99, summary).toBeLessThan(50);
    expect(sorted.at(-1)!, summary).toBeLessThan(500);
    expect(statuses.filter((s) => s === 401)).toHaveLength(100); // 4 wrong passwords per user: no lock either
  });
});
