/**
 * Requests without Content-Length (`Transfer-Encoding: chunked`, as the gateway forwards a stream
 * that arrives that way) reach the model whole (issue 5 §1): JSON and multipart, through the
 * gateway with real HTTP, and malformed or oversized chunked bodies straight at the model server.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, stopTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployExample } from '../../test-support/deploy-example';

let anvil: TTestAnvil;
let token: string;
const services: Record<string, string> = {};

beforeAll(async () => {
  anvil = await startTestAnvil();
  const auth = await getToken(anvil.url);
  token = auth.token;
  services.iris = await deployExample(anvil.url, auth, 'iris');
  services.digits = await deployExample(anvil.url, auth, 'digits');
}, 120_000);
afterAll(() => stopTestAnvil(anvil));

/** POSTs `pieces` as separate chunks (no Content-Length), each written after the previous one left. */
function postChunked(path: string, contentType: string, pieces: Buffer[]): Promise<{ status: number; body: Record<string, unknown>; wasChunked: boolean }> {
  const { hostname, port } = new URL(anvil.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, path, method: 'POST', headers: { 'x-auth-token': token, 'content-type': contentType, 'transfer-encoding': 'chunked' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), wasChunked }));
      },
    );
    const wasChunked = req.getHeader('content-length') === undefined;
    req.on('error', reject);
    void (async () => {
      for (const piece of pieces) {
        req.write(piece);
        await new Promise((r) => setTimeout(r, 5));
      }
      req.end();
    })();
  });
}

const split = (data: Buffer, parts: number) => Array.from({ length: parts }, (_, i) => data.subarray(Math.floor((i * data.length) / parts), Math.floor(((i + 1) * data.length) / parts)));

describe('chunked requests through the gateway', () => {
  it('a chunked JSON body predicts like a Content-Length one', async () => {
    const body = Buffer.from(JSON.stringify({ meta: { uuid: 'chunked-1' }, data: { req_data: [{ sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }] } }));
    const res = await postChunked(`/v1/infers/${services.iris}`, 'application/json', split(body, 4));
    expect(res.wasChunked).toBe(true);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ meta: { uuid: 'chunked-1' }, data: { resp_data: [{ predict_result: 'Iris-virginica', confidence: expect.any(Number) }] } });
  });

  it('a chunked multipart upload (field "images") predicts each digit', async () => {
    for (const digit of [3, 8]) {
      const boundary = `----anvil-chunked-${digit}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="digit-${digit}.png"\r\nContent-Type: image/png\r\n\r\n`),
        fs.readFileSync(`examples/digits/samples/digit-${digit}.png`),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await postChunked(`/v1/infers/${services.digits}`, `multipart/form-data; boundary=${boundary}`, split(body, 7));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ predicted_label: String(digit) });
    }
  });
});

describe('chunked framing at the model server itself', () => {
  /** Sends raw pieces to the iris instance (stopping once it answers) and returns every status code it answers before closing. */
  async function raw(...pieces: string[]): Promise<{ statuses: number[]; text: string }> {
    const [endpoint] = anvil.core.reconciler.endpoints(services.iris);
    const socket = net.connect(endpoint.port, endpoint.host);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the answer is fine: the server closes a desynced connection
    const closed = new Promise((r) => socket.on('close', r));
    for (const piece of pieces) {
      if (chunks.length > 0 || socket.destroyed) break;
      if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
    }
    socket.end();
    await closed;
    const text = Buffer.concat(chunks).toString('latin1');
    return { statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])), text };
  }
  const json = '{"data":{"req_data":[{"sepal_length":6.9,"sepal_width":3.1,"petal_length":5.4,"petal_width":2.1}]}}';
  const head = (extra = '') => `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n${extra}\r\n`;
  const chunked = (text: string) => `${(Buffer.byteLength(text) - 10).toString(16)};ext=1\r\n${text.slice(0, -10)}\r\na\r\n${text.slice(-10)}\r\n0\r\nX-Trailer: ok\r\n\r\n`;

  it('reads chunk extensions and trailers, and keeps the connection usable for the next request', async () => {
    const { statuses, text } = await raw(head() + chunked(json) + head('Connection: close\r\n') + chunked(json));
    expect(statuses).toEqual([200, 200]);
    expect(text).toContain('Iris-virginica');
  });

  it.each([
    ['a size that is not hexadecimal', 'zz\r\n{}\r\n0\r\n\r\n'],
    ['a size with a 0x prefix', '0x2\r\n{}\r\n0\r\n\r\n'],
    ['a negative size', '-2\r\n{}\r\n0\r\n\r\n'],
    ['an empty size line', '\r\n{}\r\n0\r\n\r\n'],
    ['chunk data longer than its size', '1\r\n{}\r\n0\r\n\r\n'],
    ['a body cut off mid-chunk', 'ff\r\n{"data":'],
  ])('answers 400 for %s', async (_what, body) => {
    const { statuses, text } = await raw(head() + body);
    expect(statuses).toEqual([400]);
    expect(text).toContain('ModelArts.4400');
  });

  it('answers 413 for a chunked body over 12 MB, without reading it all', async () => {
    const piece = `${(1024 * 1024).toString(16)}\r\n${' '.repeat(1024 * 1024)}\r\n`;
    const { statuses } = await raw(head(), ...Array<string>(13).fill(piece), '0\r\n\r\n');
    expect(statuses).toEqual([413]);
  });
});
