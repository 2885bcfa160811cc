/** Routes the public REST API and the console's file endpoints; everything else falls through to Next. */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { TInferTarget } from '../core/gateway/inference-gateway';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError } from '../core/errors';
import type { TIdentity } from '../core/iam/identity';
import { issueToken } from './auth-tokens';
import { credentialOf } from '../core/gateway/credential-cache';
import { decodePathSegment, queryParams, sendCaught, sessionToken } from './http-io';
import { createManagementListener } from './management-router';
import { handleConsoleUpload, handleObjectApi, sendObject } from './obs-api';

const INFER = /^\/v1\/infers\/([^/?]+)(\/[^?]*)?$/;
/** IAM-style user and project administration, served by the management router (routes/admin.ts). */
const USERS_AND_PROJECTS = /^\/v3\/(projects|users)(\/|$)/;
/** Resource pools and nodes for administrators (routes/pools.ts). */
const POOLS = /^\/v3\/pools(\/|$)/;
/** IAM's permanent access keys of the caller (routes/access-keys.ts). */
const CREDENTIALS = /^\/v3\.0\/OS-CREDENTIAL\/credentials(\/|$)/;

type TManagement = { listener: (req: http.IncomingMessage, res: http.ServerResponse) => void; publicUrl: string };
const managementByCore = new WeakMap<TAnvilCore, TManagement>();

/** The management API of this core, built once (Hono app and OpenAPI registry); `publicUrl` follows the latest value. */
function management(core: TAnvilCore, publicUrl: string): TManagement['listener'] {
  let m = managementByCore.get(core);
  if (!m) {
    const entry: TManagement = { publicUrl, listener: () => undefined };
    entry.listener = createManagementListener({ core, identify: (req) => caller(core, req, false), publicUrl: () => entry.publicUrl });
    managementByCore.set(core, (m = entry));
  }
  m.publicUrl = publicUrl;
  return m.listener;
}

/** The caller of a management or console endpoint: API token first, then the console session. */
function caller(core: TAnvilCore, req: http.IncomingMessage, allowSession: boolean): TIdentity {
  const { credential, kind } = credentialOf(req, allowSession ? sessionToken(req) : undefined) ?? {};
  if (!credential || !kind) throw new CoreError('UNAUTHENTICATED', 'Send a token in the X-Auth-Token header (POST /v3/auth/tokens).');
  // A cookie alone must not authorise a change: cross-site forms cannot set this header.
  if (kind === 'session' && req.method !== 'GET' && !req.headers['x-anvil-console']) {
    throw new CoreError('FORBIDDEN', 'Console requests must carry the X-Anvil-Console header.');
  }
  const check = core.credentials.check(credential, kind);
  if ('problem' in check) throw new CoreError('UNAUTHENTICATED', check.problem === 'expired' ? 'The token has expired.' : 'The token is not valid.');
  return check.identity;
}

/**
 * The service and API path of a `/v1/infers/…` request; undefined for any other path, null when
 * the path is malformed (already answered).
 */
function inferTarget(req: http.IncomingMessage, res: http.ServerResponse | undefined): TInferTarget | undefined | null {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const infer = INFER.exec(queryAt < 0 ? url : url.slice(0, queryAt));
  if (!infer) return undefined;
  try {
    return {
      serviceId: decodePathSegment(infer[1]), apiPath: infer[2] || '/', query: queryAt < 0 ? '' : url.slice(queryAt),
      // Cookies are parsed only for the console's prediction tab, which says so with its header.
      sessionToken: req.headers['x-anvil-console'] ? sessionToken(req) : undefined,
    };
  } catch (e) {
    if (res) sendCaught(res, e);
    return null;
  }
}

/** A WebSocket upgrade for a service (guide §3.1.4.4); false when the path is not `/v1/infers/…`. */
export function handleInferUpgrade(core: TAnvilCore, req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const target = inferTarget(req, undefined);
  if (target === undefined) return false;
  if (target === null) socket.destroy();
  else core.gateway.handleUpgrade(req, socket, head, target);
  return true;
}

/**
 * `GET /metrics` (Prometheus): the operator's ANVIL_METRICS_TOKEN as a bearer token sees every
 * project; an IAM token (X-Auth-Token, or as a bearer token: Prometheus' `authorization` setting)
 * sees its own project's services.
 */
async function sendPrometheus(core: TAnvilCore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let scope: string;
  if (bearer && core.monitoring.isScrapeToken(bearer)) scope = 'all';
  else {
    const check = core.credentials.check(bearer ?? String(req.headers['x-auth-token'] ?? ''), 'api');
    if ('problem' in check) throw new CoreError('UNAUTHENTICATED', 'Send ANVIL_METRICS_TOKEN or an API token as "Authorization: Bearer <token>", or X-Auth-Token.');
    scope = check.identity.projectId;
  }
  const { contentType, body } = await core.monitoring.prometheus(scope);
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Returns false when the request is not for the REST API (the console's pages then handle it). */
export function handleRest(core: TAnvilCore, req: http.IncomingMessage, res: http.ServerResponse, publicUrl: string): boolean {
  const url = req.url ?? '/';
  const pathname = url.split('?')[0];
  const infer = inferTarget(req, res);
  if (infer) {
    core.gateway.handle(req, res, infer);
    return true;
  }
  if (infer === null) return true;
  const run = (fn: () => Promise<void> | void) => {
    Promise.resolve()
      .then(fn)
      .catch((e) => sendCaught(res, e));
    return true;
  };
  if (pathname === '/v3/auth/tokens' && req.method === 'POST') return run(() => issueToken(core, req, res));
  if (pathname === '/metrics' && req.method === 'GET') return run(() => sendPrometheus(core, req, res));
  if (pathname.startsWith('/v1/') || pathname.startsWith('/V1.0/') || USERS_AND_PROJECTS.test(pathname) || POOLS.test(pathname) || CREDENTIALS.test(pathname)) {
    management(core, publicUrl)(req, res);
    return true;
  }
  if (pathname.startsWith('/obs/')) {
    return run(() => {
      const who = caller(core, req, false);
      queryParams(url);
      const [bucket, ...rest] = pathname.slice(5).split('/');
      return handleObjectApi(core, who.projectId, req, res, decodePathSegment(bucket), rest.map(decodePathSegment).join('/'));
    });
  }
  if (pathname === '/api/obs/upload' && req.method === 'POST') {
    return run(() => {
      return handleConsoleUpload(core, caller(core, req, true).projectId, req, res);
    });
  }
  if (pathname === '/api/obs/download' && req.method === 'GET') {
    return run(() => {
      const { projectId } = caller(core, req, true);
      const params = queryParams(url);
      sendObject(core, projectId, res, params.get('bucket') ?? '', params.get('key') ?? '');
    });
  }
  return false;
}
