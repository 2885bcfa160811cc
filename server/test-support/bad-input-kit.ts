/**
 * What the bad-input suites share: a raw HTTP/1.1 client that sends exactly the bytes it is given
 * (fetch and http.request would refuse or normalise most of them) with a deadline instead of a hang,
 * the one expectation (a 4xx with an error code), a case counter, and the iris service the suites
 * predict with once they are done.
 */
import net from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { ADMIN_PASSWORD, getToken, startTestAnvil, waitFor, zipFolder, type TTestAnvil } from './anvil-harness';

export type TRawResponse = { status: number; headers: Record<string, string>; text: string; json: Record<string, unknown> | undefined };
export type TRawRequest = {
  method?: string;
  /** Sent as is: may hold malformed escapes, raw UTF-8, NUL or backslashes. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body as one chunk of `Transfer-Encoding: chunked` instead of with Content-Length. */
  isChunked?: boolean;
  /** The whole request head, for requests that are not even valid HTTP. */
  rawHead?: string;
};

const DEADLINE_MS = 10_000;

/** Every request or socket event a suite sends; the suites print it, the lead reports it. */
export const tally = { cases: 0 };

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString(), 16);
    if (!size) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function parseResponse(data: Buffer): TRawResponse {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end < 0 ? data.length : end).toString('latin1').split('\r\n');
  const status = Number(head[0].split(' ')[1] ?? 0);
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  const text = body.toString('utf8');
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/** Whether `data` holds a whole response (by Content-Length or the last chunk), so a kept-alive connection need not close. */
function isComplete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = data.subarray(0, end).toString('latin1').toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return data.length - end - 4 >= Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) return data.subarray(end).includes('\r\n0\r\n\r\n');
  return /^http\/1\.1 (204|304)/.test(head);
}

/** One request on its own connection (`Connection: close`); rejects when no complete answer comes within 10 s. */
export function rawRequest(baseUrl: string, r: TRawRequest): Promise<TRawResponse> {
  tally.cases++;
  const { hostname, port } = new URL(baseUrl);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : (r.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { host: `${hostname}:${port}`, connection: 'close', ...r.headers };
  if (r.isChunked) headers['transfer-encoding'] = 'chunked';
  else if (r.body !== undefined) headers['content-length'] = String(body.length);
  const head = r.rawHead ?? `${r.method ?? 'GET'} ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  const payload = r.isChunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const what = r.rawHead ? JSON.stringify(r.rawHead.slice(0, 80)) : `${r.method ?? 'GET'} ${r.path.slice(0, 120)}`;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${DEADLINE_MS} ms: ${what}`));
    }, DEADLINE_MS);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      if (data.length === 0) reject(new Error(`connection closed without an answer: ${what}`));
      else resolve(parseResponse(data));
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    // The server may close while we still write a body it refused: what it answered counts.
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
  });
}

/** The error code of a REST error (`error_code`) or a tRPC error (`error.data.code`; of each answer of a batch). */
export function errorCodeOf(json: Record<string, unknown> | undefined): string | undefined {
  if (!json) return undefined;
  if (Array.isArray(json)) {
    const codes = json.map((item) => errorCodeOf(item as Record<string, unknown>));
    return codes.length > 0 && codes.every(Boolean) ? codes.join(',') : undefined;
  }
  if (typeof json.error_code === 'string') return json.error_code;
  const trpc = (json.error as { data?: { code?: unknown } } | undefined)?.data?.code;
  return typeof trpc === 'string' ? trpc : undefined;
}

/** The expectation of every bad-input case: a 4xx that says what is wrong with an error code. */
export function expectRefused(res: TRawResponse, what: string): void {
  expect({ what, status: res.status, isClientError: res.status >= 400 && res.status < 500 }).toEqual({ what, status: res.status, isClientError: true });
  expect({ what, code: errorCodeOf(res.json) }).toEqual({ what, code: expect.any(String) });
}

/** Percent-encodings that no decoder accepts. */
export const MALFORMED_ESCAPES = ['%E0', '%', '%G1', '%C0%AF', '%ED%A0%80', '%F0%9F%98'];

const IRIS_ROW = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 };

/** Uploads, imports and deploys the iris example; resolves once it is running. */
export async function deployIris(url: string, token: string, projectId: string): Promise<string> {
  const call = (p: string, init: RequestInit = {}) =>
    fetch(`${url}${p}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  await call('/obs/models', { method: 'PUT' });
  await call('/obs/models/iris?extract=zip', { method: 'PUT', body: zipFolder(path.resolve('examples/iris/model')), headers: { 'content-type': 'application/zip' } });
  const model = (await (await call(`/v1/${projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: 'iris', source_location: 'obs://models/iris' }) })).json()) as { model_id: string };
  await waitFor(async () => ((await (await call(`/v1/${projectId}/models/${model.model_id}`)).json()) as { model_status: string }).model_status === 'normal', 20_000, 'iris imported');
  const body = { service_name: 'iris-bad-input', schedule: [], config: [{ model_id: model.model_id, specification: 'cpu.1u2g' }] };
  const created = (await (await call(`/v1/${projectId}/services`, { method: 'POST', body: JSON.stringify(body) })).json()) as { service_id: string };
  await waitFor(async () => ((await (await call(`/v1/${projectId}/services/${created.service_id}`)).json()) as { status: string }).status === 'running', 30_000, 'iris running');
  return created.service_id;
}

/** A prediction through the gateway; the suites end with it to show Anvil still serves. */
export async function predictIris(url: string, token: string, serviceId: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/v1/infers/${serviceId}`, {
    method: 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { req_data: [IRIS_ROW] } }),
  });
  return { status: res.status, body: await res.json() };
}

/** The target of a bad-input suite: a running Anvil with the iris example deployed and a console session. */
export async function startTarget(): Promise<{ anvil: TTestAnvil; token: string; projectId: string; serviceId: string; cookie: string }> {
  const anvil = await startTestAnvil();
  const { token, projectId } = await getToken(anvil.url);
  const serviceId = await deployIris(anvil.url, token, projectId);
  const login = await fetch(`${anvil.url}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'admin', password: ADMIN_PASSWORD }) });
  return { anvil, token, projectId, serviceId, cookie: login.headers.get('set-cookie')!.split(';')[0] };
}
