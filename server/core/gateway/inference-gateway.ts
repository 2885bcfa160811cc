/**
 * The inference data path: `/v1/infers/{service_id}[/<api url>]` → route → authenticate →
 * limits → pick the least busy ready instance → proxy (HTTP, SSE or WebSocket). Everything it
 * consults per request is in memory; bodies are streamed unless a signature needs them whole.
 * The 12 MB and 40 s limits are guide §3.1.4.1's.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Reconciler } from '../deploy/reconciler';
import http from 'node:http';
import { ASYNC_TIMEOUT_MS, AsyncResults, callInstance } from './async-results';
import { payloadHashSource, sha256Hex } from './auth/sdk-signature';
import type { Authenticator, TCaller, TPendingSignature } from './authenticator';
import { LeastOutstanding, type TEndpoint } from './balancer';
import { refusalBody, type TRefusal } from './gateway-errors';
import { HttpForwarder, type TForwardOutcome } from './http-forward';
import type { InflightRequests } from './inflight';
import type { QpsLimiter } from './qps-limiter';
import type { RequestMetrics } from './request-metrics';
import type { RouteTable, TRoute } from './route-table';
import { redactBody, type RequestTraces } from '../monitoring/request-traces';
import { pickVersion, ruleContext, type TVersionChoice } from './version-picker';
import { forwardUpgrade, rejectUpgrade } from './ws-forward';
import { SERVICE_OPENAPI_PATH } from '../registry/service-openapi';

export const MAX_BODY_BYTES = 12 * 1024 * 1024;
export const PREDICTION_TIMEOUT_MS = 40_000;
/** SSE answers have no total limit, only this much silence between events. */
export const STREAM_IDLE_MS = 120_000;
/** A WebSocket with no frame either way for this long is closed. */
export const WEBSOCKET_IDLE_MS = 600_000;
const SERVER_NAME = 'Anvil';
/** Where an asynchronous request's result is fetched: `/v1/infers/{service_id}/results/{request_id}`. */
const RESULT_PATH = /^\/results\/([0-9a-f]{32})\/?$/;

/** Hop-by-hop headers and credentials stop at the gateway: models never see them. */
const STRIPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host',
  'x-auth-token', 'cookie', 'authorization', 'x-anvil-console', 'apikey', 'x-apig-appcode', 'x-api-appcode', 'x-sdk-date', 'x-sdk-content-sha256',
]);

export type TGatewayDeps = {
  routes: RouteTable;
  reconciler: Pick<Reconciler, 'endpoints'>;
  authenticator: Authenticator;
  inflight: InflightRequests;
  limiter: QpsLimiter;
  metrics: RequestMetrics;
  /** Request traces; absent: nothing is traced. */
  traces?: RequestTraces;
  timeoutMs?: number;
};

/** One call: what the adapter parsed from the request line. */
export type TInferTarget = { serviceId: string; apiPath: string; query: string; sessionToken?: string };

/** A 32-hex request id, as API Gateway's `request_id`. */
const newRequestId = () => randomUUID().replaceAll('-', '');

export class InferenceGateway {
  private readonly forwarder = new HttpForwarder();
  private readonly balancer: LeastOutstanding;
  /** Asynchronous requests' answers, and the connections their background calls use. */
  readonly asyncResults = new AsyncResults();
  private readonly asyncAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly deps: TGatewayDeps) {
    this.balancer = new LeastOutstanding(deps.inflight);
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, target: TInferTarget): void {
    const requestId = newRequestId();
    res.setHeader('server', SERVER_NAME);
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    const route = this.deps.routes.get(target.serviceId);
    if (!route) return void sendRefusal(req, res, { error: 'API_NOT_FOUND' }, requestId);
    const refuse = (refusal: TRefusal) => {
      const status = sendRefusal(req, res, refusal, requestId);
      if (status) this.countRefusal(req, route, target, requestId, status, performance.now() - started);
    };
    if (route.websocket) return refuse({ error: 'API_NOT_FOUND', detail: `service ${route.name} is a WebSocket service; connect to it with ws:// or wss://` });
    const resultId = route.requestMode === 'async' ? RESULT_PATH.exec(target.apiPath)?.[1] : undefined;
    const declared = route.apis.get(target.apiPath);
    if (!resultId && route.apis.size > 0 && declared === undefined && !isContractRequest(req, route, target)) return refuse({ error: 'API_NOT_FOUND', detail: `service ${route.name} serves ${[...route.apis.keys()].join(', ')}; got ${target.apiPath}` });
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return refuse({ error: 'BODY_TOO_LARGE' });

    const outcome = this.deps.authenticator.authenticate(req.headers, route, target.sessionToken);
    if ('refusal' in outcome) return refuse(outcome.refusal);
    if ('caller' in outcome) return this.admit(req, res, route, target, outcome.caller, requestId, declared, refuse);
    const source = payloadHashSource(req.headers);
    if (source !== 'body') return this.finishSignature(req, res, route, target, outcome.pending, source.hash, requestId, declared, refuse);
    readBody(req, MAX_BODY_BYTES, (body) =>
      body ? this.finishSignature(req, res, route, target, outcome.pending, sha256Hex(body), requestId, declared, refuse, body) : refuse({ error: 'BODY_TOO_LARGE' }),
    );
  }

  /** A WebSocket upgrade on `/v1/infers/…` (guide §3.1.4.4): the same credentials, then frames pass through untouched. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: TInferTarget): void {
    const requestId = newRequestId();
    const started = performance.now();
    const answer = (refusal: TRefusal): number => {
      const { status, body } = refusalBody(refusal, requestId);
      rejectUpgrade(socket, status, { 'content-type': 'application/json', server: SERVER_NAME, 'x-request-id': requestId }, body);
      return status;
    };
    const route = this.deps.routes.get(target.serviceId);
    if (!route) return void answer({ error: 'API_NOT_FOUND' });
    const refuse = (refusal: TRefusal) => this.countRefusal(req, route, target, requestId, answer(refusal), performance.now() - started);
    if (!route.websocket) return refuse({ error: 'API_NOT_FOUND', detail: `service ${route.name} was not deployed with "upgrade to WebSocket"` });
    let outcome = this.deps.authenticator.authenticate(req.headers, route, undefined);
    if ('pending' in outcome) {
      const source = payloadHashSource(req.headers);
      const payloadHash = source === 'body' ? sha256Hex('') : source.hash;
      outcome = this.deps.authenticator.verifySigned(outcome.pending, { method: req.method ?? 'GET', rawTarget: req.url ?? '/', headers: req.headers, payloadHash }, route);
    }
    if ('refusal' in outcome) return refuse(outcome.refusal);
    if (!('caller' in outcome)) return refuse({ error: 'IAM_AUTH_FAILED' });
    const caller = outcome.caller;
    if (!isServing(route)) return refuse({ error: 'NOT_RUNNING', detail: `service ${route.name} is ${route.status}` });
    const { choice, endpoints } = routeVersion(route, caller, req.headers, this.deps.reconciler.endpoints(route.serviceId));
    if (endpoints.length === 0) return refuse({ error: 'NO_READY_INSTANCE', detail: 'no instance of the service is ready; retry shortly' });
    const instance = this.balancer.pick(`${route.serviceId}/${choice.versionId}`, endpoints);
    const done = this.deps.inflight.begin(instance.instanceId);
    forwardUpgrade(req, socket, head, {
      target: instance, path: target.apiPath + target.query, headers: forwardedHeaders(req, requestId, true, choice.header),
      idleMs: WEBSOCKET_IDLE_MS, connectTimeoutMs: this.deps.timeoutMs ?? PREDICTION_TIMEOUT_MS,
      fail: (error) => answer(error === 'PREDICTION_TIMEOUT' ? { error: 'BACKEND_TIMEOUT' } : { error: 'INSTANCE_UNREACHABLE', detail: 'the instance could not be reached' }),
      // A connection counts once it ends, with what the client was answered (101 when it upgraded) and how fast.
      onEnd: (o) => {
        done();
        this.deps.metrics.record({ serviceId: route.serviceId, versionId: instance.versionId, instanceId: instance.instanceId, callerKind: caller.kind, status: o.status, latencyMs: o.answerMs, bytesIn: o.bytesIn, bytesOut: o.bytesOut });
      },
    });
  }

  /** A refusal of a known service counts among its calls (4xx/5xx), with no version or instance, and may be traced. */
  private countRefusal(req: http.IncomingMessage, route: TRoute, target: TInferTarget, requestId: string, status: number, latencyMs: number): void {
    this.deps.metrics.record({ serviceId: route.serviceId, versionId: '', instanceId: '', callerKind: '', status, latencyMs, bytesIn: 0, bytesOut: 0 });
    if (this.deps.traces?.sample(route.serviceId)) {
      this.deps.traces.record({
        requestId, serviceId: route.serviceId, ts: Date.now(), method: req.method ?? 'GET', path: target.apiPath + target.query, callerKind: '', caller: '',
        versionId: '', instanceId: '', status, latencyMs, bytesIn: 0, bytesOut: 0, requestHeaders: req.headers as Record<string, string>, contentType: String(req.headers['content-type'] ?? ''),
      });
    }
  }

  /** One answered request as a trace: forwarded headers (secret-looking ones redacted) and, when captured, both bodies. */
  private trace(
    req: http.IncomingMessage, route: TRoute, target: TInferTarget, caller: TCaller, instance: TEndpoint, requestId: string,
    headers: http.OutgoingHttpHeaders, o: TForwardOutcome, cap: number,
  ): void {
    const contentType = String(req.headers['content-type'] ?? '');
    const request = o.captured && redactBody(o.captured.request, contentType, cap);
    const response = o.captured && redactBody(o.captured.response, o.captured.responseType, cap);
    this.deps.traces!.record({
      requestId, serviceId: route.serviceId, ts: Date.now() - Math.round(o.latencyMs), method: req.method ?? 'GET', path: target.apiPath + target.query,
      callerKind: caller.kind, caller: caller.name, versionId: instance.versionId, instanceId: instance.instanceId,
      status: o.error === 'CLIENT_ABORTED' ? 499 : o.status, latencyMs: o.latencyMs, bytesIn: o.bytesIn, bytesOut: o.bytesOut,
      requestHeaders: headers as Record<string, string>, contentType,
      ...(request && response ? { requestBody: request.text, responseBody: response.text, isCut: request.isCut || response.isCut } : {}),
    });
  }

  close(): void {
    this.forwarder.close();
    this.asyncAgent.destroy();
  }

  /** An asynchronous request's result: 202 while it runs, the model's answer once done, 404 once expired. */
  private sendResult(req: http.IncomingMessage, res: http.ServerResponse, route: TRoute, resultId: string, requestId: string): void {
    const result = this.asyncResults.get(resultId, route.serviceId);
    if (!result) return void sendRefusal(req, res, { error: 'RESULT_NOT_FOUND' }, requestId);
    if (result.state === 'failed') return void sendRefusal(req, res, { error: 'INSTANCE_UNREACHABLE', detail: result.error }, requestId);
    req.resume();
    if (result.state === 'running') return sendJson(res, 202, { request_id: resultId, status: 'running' });
    res.writeHead(result.status!, { 'content-type': result.contentType!, 'content-length': result.body!.length, 'x-anvil-request-status': 'done' });
    res.end(result.body);
  }

  /** Guide table 2-11: answers 202 with the request id at once, then calls the instance without the 40 s limit. */
  private dispatchAsync(
    req: http.IncomingMessage, res: http.ServerResponse, route: TRoute, target: TInferTarget, caller: TCaller, instance: TEndpoint,
    headers: http.OutgoingHttpHeaders, requestId: string, body?: Buffer,
  ): void {
    const withBody = (whole: Buffer | undefined) => {
      if (!whole) return sendRefusal(req, res, { error: 'BODY_TOO_LARGE' }, requestId);
      const done = this.deps.inflight.begin(instance.instanceId);
      this.asyncResults.start(requestId, route.serviceId);
      sendJson(res, 202, { request_id: requestId, status: 'running', result_url: `/v1/infers/${route.serviceId}/results/${requestId}` });
      const started = performance.now();
      const record = (status: number, bytesOut: number) =>
        this.deps.metrics.record({ serviceId: route.serviceId, versionId: instance.versionId, instanceId: instance.instanceId, callerKind: caller.kind, status, latencyMs: performance.now() - started, bytesIn: whole.length, bytesOut });
      callInstance(this.asyncAgent, instance, { method: req.method ?? 'POST', path: target.apiPath + target.query, headers, body: whole, timeoutMs: ASYNC_TIMEOUT_MS })
        .then(
          (answer) => {
            this.asyncResults.finish(requestId, answer);
            record(answer.status, answer.body.length);
          },
          (e: Error) => {
            this.asyncResults.fail(requestId, `the instance could not answer: ${e.message}`);
            record(502, 0);
          },
        )
        .finally(done);
    };
    if (body) withBody(body);
    else readBody(req, MAX_BODY_BYTES, withBody);
  }

  private finishSignature(
    req: http.IncomingMessage, res: http.ServerResponse, route: TRoute, target: TInferTarget, pending: TPendingSignature,
    payloadHash: string, requestId: string, declared: string | undefined, refuse: (refusal: TRefusal) => void, body?: Buffer,
  ): void {
    const outcome = this.deps.authenticator.verifySigned(pending, { method: req.method ?? 'GET', rawTarget: req.url ?? '/', headers: req.headers, payloadHash }, route);
    if (!('caller' in outcome)) return refuse('refusal' in outcome ? outcome.refusal : { error: 'IAM_AUTH_FAILED' });
    this.admit(req, res, route, target, outcome.caller, requestId, declared, refuse, body);
  }

  /** The caller may call the service: check its state and limits, pick an instance, forward. */
  private admit(
    req: http.IncomingMessage, res: http.ServerResponse, route: TRoute, target: TInferTarget, caller: TCaller, requestId: string,
    declared: string | undefined, refuse: (refusal: TRefusal) => void, body?: Buffer,
  ): void {
    const resultId = route.requestMode === 'async' ? RESULT_PATH.exec(target.apiPath)?.[1] : undefined;
    if (resultId) return this.sendResult(req, res, route, resultId, requestId);
    // The service's OpenAPI document: answered by the gateway to whoever may call the service, whatever its state.
    if (isContractRequest(req, route, target)) return void sendContract(req, res, route);
    // A concerning service still serves from the instances that are ready.
    if (!isServing(route)) return refuse({ error: 'NOT_RUNNING', detail: `service ${route.name} is ${route.status}` });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (declared && req.method !== 'GET' && contentType && contentType !== declared) {
      return refuse({ error: 'UNSUPPORTED_MEDIA_TYPE', detail: `this API takes ${declared}; got ${contentType}` });
    }
    if (route.qpsLimit !== null && !this.deps.limiter.admit(route.serviceId, route.qpsLimit)) {
      return refuse({ error: 'THROTTLED', detail: `service ${route.name} is limited to ${route.qpsLimit} requests per second` });
    }
    const { choice, endpoints } = routeVersion(route, caller, req.headers, this.deps.reconciler.endpoints(route.serviceId));
    if (endpoints.length === 0) return refuse({ error: 'NO_READY_INSTANCE', detail: 'no instance of the service is ready; retry shortly' });
    const instance = this.balancer.pick(`${route.serviceId}/${choice.versionId}`, endpoints);
    if (route.requestMode === 'async') {
      return this.dispatchAsync(req, res, route, target, caller, instance, forwardedHeaders(req, requestId, false, choice.header), requestId, body);
    }
    // Counted from the moment the instance is picked, so a stop drains this request before ending it.
    const done = this.deps.inflight.begin(instance.instanceId);
    const tracing = this.deps.traces?.sample(route.serviceId);
    const headers = forwardedHeaders(req, requestId, false, choice.header);
    this.forwarder.forward(req, res, {
      target: instance, path: target.apiPath + target.query, headers, body, captureBytes: tracing?.capturePayloads ? tracing.maxPayloadBytes : undefined,
      maxBodyBytes: MAX_BODY_BYTES, timeoutMs: this.deps.timeoutMs ?? PREDICTION_TIMEOUT_MS, streamIdleMs: STREAM_IDLE_MS,
      // Counted by onEnd, against the instance.
      fail: (error) =>
        sendRefusal(
          req, res,
          error === 'PREDICTION_TIMEOUT' ? { error: 'BACKEND_TIMEOUT' }
          : error === 'BODY_TOO_LARGE' ? { error: 'BODY_TOO_LARGE' }
          : { error: 'INSTANCE_UNREACHABLE', detail: 'failed to invoke the backend service: the instance could not be reached' },
          requestId,
        ),
      onEnd: (o: TForwardOutcome) => {
        done();
        this.deps.metrics.record({ serviceId: route.serviceId, versionId: instance.versionId, instanceId: instance.instanceId, callerKind: caller.kind, status: o.error === 'CLIENT_ABORTED' || o.status === 0 ? 499 : o.status, latencyMs: o.latencyMs, bytesIn: o.bytesIn, bytesOut: o.bytesOut });
        if (tracing) this.trace(req, route, target, caller, instance, requestId, headers, o, tracing.maxPayloadBytes);
      },
    });
  }
}

const isServing = (route: TRoute) => route.status === 'running' || route.status === 'concerning';

/** The version this caller's request goes to (rules, then weights) and that version's ready instances. */
function routeVersion(route: TRoute, caller: TCaller, headers: http.IncomingHttpHeaders, all: TEndpoint[]): { choice: TVersionChoice; endpoints: TEndpoint[] } {
  if (route.versions.versions.length <= 1 && route.rules.length === 0) return { choice: { versionId: all[0]?.versionId ?? '' }, endpoints: all };
  const choice = pickVersion(route.rules, route.versions, () => ruleContext(headers, caller.identity, { id: route.projectId, name: route.projectName }));
  return { choice, endpoints: all.filter((e) => e.versionId === choice.versionId) };
}

function forwardedHeaders(req: http.IncomingMessage, requestId: string, isUpgrade: boolean, ruleHeader?: [string, string]): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!STRIPPED.has(k)) headers[k] = v;
  // Guide §3.1.2: the matching rule's "custom run parameter" reaches the model as a header.
  if (ruleHeader) headers[ruleHeader[0].toLowerCase()] = ruleHeader[1];
  if (isUpgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade;
  }
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-request-id'] = requestId;
  return headers;
}

/**
 * Calls `done` with the whole body, or undefined past `limit` bytes (the rest is drained, not
 * stored). A request that fails midway is destroyed with its response; `done` is not called.
 * Callbacks rather than a promise: this is on every signed request's path.
 */
function readBody(req: http.IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('end', () => done(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
  req.on('error', () => req.destroy());
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers with the gateway's own error, once, and returns its status; later failures of the same exchange are ignored (undefined). */
export function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, refusal: TRefusal, requestId: string): number | undefined {
  if (res.headersSent || res.writableEnded) return undefined;
  const { status, body } = refusalBody(refusal, requestId);
  res.writeHead(status, { server: SERVER_NAME, 'x-request-id': requestId, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  req.resume();
  return status;
}

/** `GET …/openapi.json` of a service whose model does not declare that path itself. */
function isContractRequest(req: http.IncomingMessage, route: TRoute, target: TInferTarget): boolean {
  return req.method === 'GET' && target.apiPath === SERVICE_OPENAPI_PATH && !route.apis.has(SERVICE_OPENAPI_PATH);
}

function sendContract(req: http.IncomingMessage, res: http.ServerResponse, route: TRoute): void {
  req.resume();
  const body = route.contract();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
