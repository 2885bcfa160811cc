/**
 * The inference data path: `/v1/infers/{service_id}[/<api url>]` → authenticate → route → stream the
 * request to a ready instance and the answer back. Bodies are streamed, never buffered; the 12 MB
 * and 40 s limits of guide §3.1.4.1 are enforced here.
 */
import http from 'node:http';
import type { TIdentity } from '../iam/identity';
import type { Reconciler } from '../deploy/reconciler';
import { credentialOf, type CredentialCache } from './credential-cache';
import { GATEWAY_ERRORS, type TGatewayError } from './gateway-errors';
import type { InflightRequests } from './inflight';
import type { RouteTable } from './route-table';

export const MAX_BODY_BYTES = 12 * 1024 * 1024;
export const PREDICTION_TIMEOUT_MS = 40_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);
/** Credentials stop at the gateway: models never see them. */
const STRIPPED = new Set([...HOP_BY_HOP, 'x-auth-token', 'cookie', 'authorization', 'x-anvil-console']);

export class InferenceGateway {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly cursor = new Map<string, number>();

  constructor(
    private readonly deps: { routes: RouteTable; reconciler: Reconciler; credentials: CredentialCache; inflight: InflightRequests; timeoutMs?: number },
  ) {}

  /** Identity from `X-Auth-Token` (API clients) or, for the console's prediction tab, the session cookie. */
  authenticate(req: http.IncomingMessage, sessionToken: string | undefined): { identity: TIdentity } | { error: TGatewayError } {
    // The session counts only with the console's header, which a cross-site form cannot set.
    const found = credentialOf(req, req.headers['x-anvil-console'] ? sessionToken : undefined);
    if (!found) return { error: 'TOKEN_MISSING' };
    const check = this.deps.credentials.check(found.credential, found.kind);
    if ('identity' in check) return check;
    return { error: check.problem === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID' };
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, serviceId: string, apiPath: string, query: string, sessionToken?: string): void {
    const auth = this.authenticate(req, sessionToken);
    if ('error' in auth) return fail(req, res, auth.error);
    const route = this.deps.routes.get(serviceId);
    if (!route) return fail(req, res, 'SERVICE_NOT_FOUND');
    if (route.projectId !== auth.identity.projectId) return fail(req, res, 'WRONG_PROJECT');
    // A concerning service still serves from the instances that are ready.
    if (route.status !== 'running' && route.status !== 'concerning') return fail(req, res, 'SERVICE_NOT_RUNNING', `Service ${route.name} is ${route.status}.`);
    const declared = route.apis.get(apiPath);
    if (route.apis.size > 0 && declared === undefined) {
      return fail(req, res, 'API_NOT_FOUND', `Service ${route.name} serves ${[...route.apis.keys()].join(', ')}; got ${apiPath}.`);
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (declared && req.method !== 'GET' && contentType && contentType !== declared) {
      return fail(req, res, 'UNSUPPORTED_MEDIA_TYPE', `This API takes ${declared}; got ${contentType}.`);
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return fail(req, res, 'BODY_TOO_LARGE');
    const endpoints = this.deps.reconciler.endpoints(serviceId);
    if (endpoints.length === 0) return fail(req, res, 'NO_READY_INSTANCE');
    const next = (this.cursor.get(serviceId) ?? 0) % endpoints.length;
    this.cursor.set(serviceId, next + 1);
    this.forward(req, res, endpoints[next], apiPath + query);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, target: { instanceId: string; host: string; port: number }, path: string): void {
    // Counted from the moment the instance is picked, so a stop drains this request before ending the process.
    const done = this.deps.inflight.begin(target.instanceId);
    res.once('close', done);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!STRIPPED.has(k)) headers[k] = v;
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    const upstream = http.request({ host: target.host, port: target.port, method: req.method, path, headers, agent: this.agent }, (ures) => {
      // The prediction is answered once the model sends its status line; the body then streams.
      clearTimeout(timer);
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ures.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(ures.statusCode ?? 502, out);
      ures.on('aborted', () => res.destroy());
      ures.pipe(res);
    });
    const timer = setTimeout(() => {
      upstream.destroy();
      fail(req, res, 'PREDICTION_TIMEOUT');
    }, this.deps.timeoutMs ?? PREDICTION_TIMEOUT_MS);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) upstream.destroy();
    });
    // Before the answer started: a clean error. Mid-body: the client must see a cut, not a hang.
    upstream.on('error', () => (res.headersSent ? res.destroy() : fail(req, res, 'INSTANCE_UNREACHABLE')));
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) {
        upstream.destroy();
        fail(req, res, 'BODY_TOO_LARGE');
      }
    });
    req.pipe(upstream);
  }
}

/** Answers with the gateway's own error, once; later failures of the same exchange are ignored. */
export function fail(req: http.IncomingMessage, res: http.ServerResponse, error: TGatewayError, detail?: string): void {
  if (res.headersSent || res.writableEnded) return;
  const [status, code, message] = GATEWAY_ERRORS[error];
  const body = JSON.stringify({ error_code: code, error_msg: detail ? `${message} ${detail}` : message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  req.resume();
}
