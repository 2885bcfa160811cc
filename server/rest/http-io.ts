/** Small HTTP helpers for the REST adapters: JSON in and out, core errors as {error_code, error_msg}. */
import type http from 'node:http';
import { CoreError, type TCoreErrorCode } from '../core/errors';

const STATUS: Record<TCoreErrorCode, [number, string]> = {
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
    return sendError(res, status, code, e.message, e.field);
  }
  console.error('[rest] unexpected error:', e);
  sendError(res, 500, STATUS.INTERNAL[1], 'Internal error; see the Anvil server log.');
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

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export const SESSION_COOKIE = 'anvil_session';

/** The console session token a request carries in its cookie, if any. */
export function sessionToken(req: http.IncomingMessage): string | undefined {
  return parseCookies(req.headers.cookie)[SESSION_COOKIE];
}
