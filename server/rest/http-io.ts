/** Small HTTP helpers for the REST adapters: JSON in and out, core errors as {error_code, error_msg}. */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { CoreError, RateLimitedError, type TCoreErrorCode } from '../core/errors';

export const STATUS: Record<TCoreErrorCode, [number, string]> = {
  INVALID_ARGUMENT: [400, 'ModelArts.0101'],
  NOT_FOUND: [404, 'ModelArts.0102'],
  CONFLICT: [409, 'ModelArts.0103'],
  FAILED_PRECONDITION: [409, 'ModelArts.0104'],
  UNAUTHENTICATED: [401, 'ModelArts.0105'],
  FORBIDDEN: [403, 'ModelArts.0106'],
  PAYLOAD_TOO_LARGE: [413, 'ModelArts.0107'],
  QUOTA_EXCEEDED: [403, 'ModelArts.0108'],
  UNAVAILABLE: [503, 'ModelArts.0109'],
  TIMEOUT: [504, 'ModelArts.0110'],
  RATE_LIMITED: [429, 'ModelArts.0113'],
  INTERNAL: [500, 'ModelArts.0111'],
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: http.ServerResponse, status: number, code: string, message: string, field?: string): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, status, { error_code: code, error_msg: message, ...(field ? { field } : {}) });
}

/** Maps any thrown value to an error response; unexpected errors are logged, never shown. */
export function sendCaught(res: http.ServerResponse, e: unknown): void {
  if (e instanceof CoreError) {
    const [status, code] = STATUS[e.code];
    if (e instanceof RateLimitedError && !res.headersSent) res.setHeader('retry-after', String(e.retryAfterSeconds));
    return sendError(res, status, code, e.message, e.field);
  }
  sendInternalError(res.req, res, e);
}

const requestIds = new WeakMap<http.IncomingMessage, string>();

/** The id that ties a request's 500 answer to its server log line; made on first use, so the hot path pays nothing. */
export function requestIdOf(req: http.IncomingMessage): string {
  let id = requestIds.get(req);
  if (!id) requestIds.set(req, (id = randomUUID()));
  return id;
}

/** Logs an unexpected error with the request's id and answers 500 with that id (or cuts a response already under way). */
export function sendInternalError(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
  // The client went away mid-request (or sent a body Node could not parse): nobody to answer, nothing to log.
  if (req.destroyed && (e as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET') return void res.destroy();
  const id = requestIdOf(req);
  console.error(`[anvil] request ${id} (${req.method} ${req.url?.split('?')[0]}) failed:`, e);
  if (res.headersSent || res.writableEnded) return void res.destroy();
  // A half-read body must not be taken for the next request on this connection.
  sendJson(res, 500, internalErrorBody(id), { 'x-request-id': id, connection: 'close' });
  req.resume();
}

/**
 * `clientError` of the HTTP server: a request Node could not parse (headers over 16 KB, bad bytes,
 * a header timeout) gets the same JSON error shape as any other, then the connection closes.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, STATUS.PAYLOAD_TOO_LARGE[1], 'The request line and headers are larger than 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, STATUS.TIMEOUT[1], 'The request took too long to arrive.']
        : [400, STATUS.INVALID_ARGUMENT[1], 'The request is not valid HTTP/1.1.'];
  const body = JSON.stringify({ error_code: code, error_msg: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The body of every 500: no detail of the failure, only the id to find it in the log. */
export const internalErrorBody = (requestId: string) => ({
  error_code: STATUS.INTERNAL[1],
  error_msg: `Internal error; see the Anvil server log for request ${requestId}.`,
  request_id: requestId,
});

/** Decodes one percent-encoded path segment; a malformed escape is the client's error (400), never a URIError. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new CoreError('INVALID_ARGUMENT', `The request path is not valid percent-encoding: ${segment.slice(0, 80)}`);
  }
}

/** Whether every escape in the URL's path and query decodes. */
export function isWellEncoded(url: string): boolean {
  try {
    url.split('?')[0].split('/').forEach(decodePathSegment);
    queryParams(url);
    return true;
  } catch {
    return false;
  }
}

/** Query parameters, refusing malformed escapes (URLSearchParams would silently turn them into U+FFFD). */
export function queryParams(url: string): URLSearchParams {
  const i = url.indexOf('?');
  const query = i < 0 ? '' : url.slice(i + 1);
  for (const part of query.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new CoreError('INVALID_ARGUMENT', `The query string is not valid percent-encoding: ${part.slice(0, 80)}`);
    }
  }
  return new URLSearchParams(query);
}

/** Reads a JSON body up to `limit` bytes; a bad body is a CoreError (400/413). */
export async function readJson(req: http.IncomingMessage, limit = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new CoreError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new CoreError('INVALID_ARGUMENT', 'The request body is empty; send JSON.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CoreError('INVALID_ARGUMENT', `The request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Cookies by name; a value that is not valid percent-encoding is kept as sent (it then matches no session). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const value = part.slice(i + 1).trim();
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(value);
    } catch {
      out[part.slice(0, i).trim()] = value;
    }
  }
  return out;
}

export const SESSION_COOKIE = 'anvil_session';

/** The console session token a request carries in its cookie, if any. */
export function sessionToken(req: http.IncomingMessage): string | undefined {
  return parseCookies(req.headers.cookie)[SESSION_COOKIE];
}
