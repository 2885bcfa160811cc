/**
 * The model server's streaming hook: a `customize_service.py` whose `_inference` returns a generator
 * is answered as Server-Sent Events, each item sent when it is yielded, through the gateway on the
 * process runtime; a failure mid-stream ends the stream with an `error` event; plain answers stay JSON.
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage } from '../../test-support/deploy-package';

const STREAMING_MODEL = `
import time
from model_service.model_service import SingleNodeService

class Streaming(SingleNodeService):
    def _inference(self, data):
        if data.get("plain"):
            return {"plain": True}
        return self.tokens(int(data.get("count", 3)), data.get("fail_at"))

    def tokens(self, count, fail_at):
        for i in range(count):
            if i == fail_at:
                raise ValueError("no more tokens")
            # Text goes out as it is, one data line per line; anything else as JSON.
            yield "line one\\nline two\\rline three" if i == 1 else {"i": i, "text": "tok%d" % i}
            time.sleep(0.2)
`;

let anvil: TTestAnvil;
let token: string;
let serviceId: string;

beforeAll(async () => {
  anvil = await startTestAnvil();
  const auth = await getToken(anvil.url);
  token = auth.token;
  ({ serviceId } = await deployPackage(anvil.url, auth, 'stream', STREAMING_MODEL));
}, 60_000);
afterAll(() => stopTestAnvil(anvil));

/** Posts `body` and collects each event with the time it arrived. */
function events(body: unknown, accept = 'text/event-stream'): Promise<{ type: string; events: { at: number; text: string }[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json', accept } }, (res) => {
      const got: { at: number; text: string }[] = [];
      let pending = '';
      res.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        let end;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          got.push({ at: performance.now(), text: pending.slice(0, end) });
          pending = pending.slice(end + 2);
        }
      });
      res.on('end', () => resolve({ type: String(res.headers['content-type']), events: got }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

it('sends each yielded item as an event when it is yielded, multi-line text as several data lines', async () => {
  const { type, events: got } = await events({ count: 3 });
  expect(type).toBe('text/event-stream;charset=UTF-8');
  expect(got.map((e) => e.text)).toEqual(['data: {"i": 0, "text": "tok0"}', 'data: line one\ndata: line two\ndata: line three', 'data: {"i": 2, "text": "tok2"}']);
  for (let i = 1; i < got.length; i++) {
    expect(got[i].at - got[i - 1].at).toBeGreaterThan(140);
    expect(got[i].at - got[i - 1].at).toBeLessThan(260);
  }
});

it('streams a generator whatever the client accepts', async () => {
  const { type, events: got } = await events({ count: 2 }, 'application/json');
  expect(type).toBe('text/event-stream;charset=UTF-8');
  expect(got).toHaveLength(2);
});

it('answers 500 JSON, not a stream, when the generator fails before its first item', async () => {
  const res = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: '{"count": 3, "fail_at": 0}' });
  expect(res.status).toBe(500);
  expect(await res.json()).toMatchObject({ error_code: 'ModelArts.4500', error_msg: expect.stringContaining('ValueError: no more tokens') });
});

it('ends the stream with an error event when the model fails mid-stream, and keeps serving', async () => {
  const { events: got } = await events({ count: 5, fail_at: 2 });
  expect(got.map((e) => e.text)).toEqual([expect.stringContaining('"i": 0'), 'data: line one\ndata: line two\ndata: line three', 'event: error\ndata: ValueError: no more tokens']);
  const plain = await fetch(`${anvil.url}/v1/infers/${serviceId}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: '{"plain": true}' });
  expect(plain.headers.get('content-type')).toBe('application/json');
  expect(await plain.json()).toEqual({ plain: true });
});
