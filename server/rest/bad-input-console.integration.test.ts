/**
 * Bad input to the console's doors over real HTTP and websockets (issue 5 §1): every tRPC procedure
 * (taken from the router itself) and every socket.io event (server/contracts/realtime.ts). Inputs are
 * property-based from the procedures' zod schemas (fast-check, fixed seed); each HTTP case gets a
 * 4xx with an error code, each socket case a refusal or silence, and neither ends a session's
 * socket for good nor Anvil; a prediction succeeds afterwards.
 */
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZTopicSchema } from '../contracts/realtime';
import { appRouter } from '../trpc/app-router';
import { stopTestAnvil, type TTestAnvil } from '../test-support/anvil-harness';
import { expectRefused, predictIris, rawRequest, tally, startTarget, type TRawRequest } from '../test-support/bad-input-kit';
import { brokenBodyOf, HOSTILE_STRINGS } from '../test-support/zod-arbitrary';

const SEED = 20_240_502;

let anvil: TTestAnvil;
let token: string;
let serviceId: string;
let cookie: string;

type TProcedure = { name: string; type: 'query' | 'mutation'; input?: z.ZodType };

/** Every procedure of the console's API with its input schema. */
function procedures(): TProcedure[] {
  const record = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } }> } })._def.procedures;
  return Object.entries(record).map(([name, p]) => ({ name, type: p._def.type, input: p._def.inputs[0] }));
}

const call = (r: TRawRequest) => rawRequest(anvil.url, { ...r, headers: { cookie, 'x-anvil-console': '1', ...r.headers } });
const query = (name: string, input: string) => call({ path: `/api/trpc/${name}?input=${input}` });
const mutation = (name: string, body: string | Buffer, type = 'application/json') => call({ method: 'POST', path: `/api/trpc/${name}`, body, headers: { 'content-type': type } });
const sendInput = (p: TProcedure, input: unknown) =>
  p.type === 'query' ? query(p.name, encodeURIComponent(JSON.stringify(input) ?? '')) : mutation(p.name, JSON.stringify(input) ?? '');

function connect(): Promise<Socket> {
  const socket = io(anvil.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Subscribes and waits for the ack, or for 2 s of silence when the server gives none. */
function subscribe(socket: Socket, topic: unknown): Promise<{ ok: boolean; error?: string } | 'no answer'> {
  tally.cases++;
  return socket.timeout(2_000).emitWithAck('subscribe', topic as string).catch(() => 'no answer' as const);
}

beforeAll(async () => {
  ({ anvil, token, serviceId, cookie } = await startTarget());
}, 90_000);
afterAll(() => stopTestAnvil(anvil));

describe('tRPC procedures (/api/trpc/<procedure>)', () => {
  it('refuse malformed transport: bad JSON, wrong method, malformed escapes, unknown names, over-long input', async () => {
    const all = procedures();
    expect(all.length).toBeGreaterThanOrEqual(30);
    for (const p of all) {
      const what = (s: string) => `${p.name}: ${s}`;
      // tRPC reads no input for a procedure that takes none: only a wrong method is bad input there.
      if (p.type === 'query') {
        expectRefused(await mutation(p.name, '{}'), what('POST to a query'));
        if (!p.input) continue;
        for (const input of ['%7Bbad', '%E0', '%', encodeURIComponent('\u0000'), encodeURIComponent('{"json":' + '['.repeat(5_000))]) {
          expectRefused(await query(p.name, input), what(`?input=${input.slice(0, 20)}`));
        }
      } else {
        expectRefused(await call({ path: `/api/trpc/${p.name}?input=%7B%7D` }), what('GET of a mutation'));
        // Sending a body to a mutation without input would run it (logout): only the method is wrong here.
        if (!p.input) continue;
        for (const body of ['{bad', '\u0000', '{"a":' + '['.repeat(100_000), 'x'.repeat(2 * 1024 * 1024)]) expectRefused(await mutation(p.name, body), what(`body ${body.slice(0, 10)}`));
        expectRefused(await mutation(p.name, Buffer.from('{}', 'utf16le'), 'application/json; charset=utf-16'), what('UTF-16 body'));
      }
    }
    for (const name of ['nope', 'apps.nope', 'apps..list', '__proto__', 'constructor', 'apps.list/../../x', 'a'.repeat(8_000), '%E0']) {
      expectRefused(await call({ path: `/api/trpc/${name}` }), `unknown procedure ${name.slice(0, 20)}`);
    }
    expectRefused(await call({ path: '/api/trpc/apps.get,services.get?batch=1&input=%7B%220%22%3A1%7D' }), 'batch with bad inputs');
    expectRefused(await call({ path: '/api/trpc/apps.get?batch=1&input=%5B%5D' }), 'batch input not an object');
  });

  it('refuse inputs their zod schemas refuse, property-based', async () => {
    for (const p of procedures().filter((x) => x.input)) {
      await fc.assert(
        fc.asyncProperty(brokenBodyOf(p.input!), async ({ body, kind }) => {
          expectRefused(await sendInput(p, body), `${p.name} ${kind} ${JSON.stringify(body)?.slice(0, 200)}`);
        }),
        { seed: SEED, numRuns: 25 },
      );
    }
  });

  it('a malformed or foreign session is no session', async () => {
    for (const bad of ['anvil_session=%E0', 'anvil_session=', `anvil_session=${'x'.repeat(8_000)}`, 'anvil_session=a; anvil_session=b', 'anvil_session=\u00ff']) {
      expectRefused(await rawRequest(anvil.url, { path: '/api/trpc/apps.list', headers: { cookie: bad } }), `cookie ${bad.slice(0, 30)}`);
    }
  });
});

describe('socket.io events (server/contracts/realtime.ts)', () => {
  it('subscribe refuses topics that are not topics, and foreign ones, keeping the socket', async () => {
    const socket = await connect();
    try {
      const topics = fc.sample(brokenBodyOf(ZTopicSchema).map((x) => x.body), { seed: SEED, numRuns: 60 });
      for (const topic of [...topics, ...HOSTILE_STRINGS, 'service:00000000-0000-4000-8000-000000000000', `app:${serviceId}`, 'service:' + '0'.repeat(36), '__proto__', 'toString']) {
        const answer = await subscribe(socket, topic);
        expect({ topic: JSON.stringify(topic)?.slice(0, 60), answer }).toEqual({ topic: JSON.stringify(topic)?.slice(0, 60), answer: { ok: false, error: expect.any(String) } });
      }
      expect(socket.connected).toBe(true);
      expect(await subscribe(socket, `service:${serviceId}`)).toEqual({ ok: true });
    } finally {
      socket.disconnect();
    }
  });

  it('survives events with a wrong acknowledgement, unknown events and garbage unsubscribes', async () => {
    const socket = await connect();
    try {
      const emits: unknown[][] = [
        ['subscribe', 'apps', 123],
        ['subscribe', 'apps', { then: 1 }],
        ['subscribe'],
        ['unsubscribe', { topic: 'apps' }],
        ['unsubscribe', 'x'.repeat(100_000)],
        ['unsubscribe'],
        ['no-such-event', 1, 2, 3],
        ['__proto__', {}],
        ['constructor'],
        ['hasOwnProperty', 'x'],
        ['subscribe', ...Array.from({ length: 1000 }, (_, i) => i)],
      ];
      for (const args of emits) {
        tally.cases++;
        (socket.emit as (...a: unknown[]) => void)(...args);
      }
      expect(await subscribe(socket, 'apps')).toEqual({ ok: true });
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  });

  it('closes only the connection that sends malformed or over-size packets', async () => {
    const bystander = await connect();
    for (const packet of ['42["subscribe",', '42{"not":"an array"}', '4', '49999999999999999999', '451-["subscribe",{"_placeholder":true,"num":99}]', `42["subscribe","${'x'.repeat(1_100_000)}"]`]) {
      const socket = await connect();
      tally.cases++;
      const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      socket.io.engine.send(packet);
      // Either the server drops this connection or it keeps answering it; it never hangs or goes down.
      const outcome = await Promise.race([closed, subscribe(socket, 'apps')]);
      if (typeof outcome === 'string') expect(outcome).toMatch(/^(io server disconnect|transport close|transport error|parse error)$/);
      else expect(outcome).toEqual({ ok: true });
      socket.disconnect();
    }
    // Another browser's connection was never touched.
    expect(bystander.connected).toBe(true);
    expect(await subscribe(bystander, 'apps')).toEqual({ ok: true });
    bystander.disconnect();
    const fresh = await connect();
    expect(await subscribe(fresh, 'services')).toEqual({ ok: true });
    fresh.disconnect();
  });
});

describe('after the bad input', () => {
  it('Anvil is alive and a prediction still succeeds', async () => {
    expect(await predictIris(anvil.url, token, serviceId)).toMatchObject({ status: 200, body: { data: { resp_data: [{ predict_result: 'Iris-virginica' }] } } });
    console.log(`bad-input cases (tRPC, socket.io): ${tally.cases}`);
    expect(tally.cases).toBeGreaterThanOrEqual(1000);
  });
});
