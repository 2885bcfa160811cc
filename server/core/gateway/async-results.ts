/**
 * Asynchronous requests (guide table 2-11 "异步请求"): the gateway answers 202 with a request id at
 * once, calls the instance in the background without the 40 s limit, and keeps the answer here for
 * the caller to fetch from `/v1/infers/{service_id}/results/{request_id}` until it expires. Results
 * live in memory (an Anvil restart loses them), capped in bytes: the oldest go first.
 */
import http from 'node:http';

/** How long a finished result can be fetched. */
export const ASYNC_RESULT_TTL_MS = 60 * 60_000;
/** How long one asynchronous inference may run. */
export const ASYNC_TIMEOUT_MS = 30 * 60_000;
const MAX_STORED_BYTES = 256 * 1024 * 1024;
const MAX_ANSWER_BYTES = 12 * 1024 * 1024;

export type TAsyncResult = {
  serviceId: string;
  state: 'running' | 'done' | 'failed';
  createdAt: number;
  finishedAt?: number;
  status?: number;
  contentType?: string;
  body?: Buffer;
  error?: string;
};

export class AsyncResults {
  private readonly results = new Map<string, TAsyncResult>();
  private storedBytes = 0;

  constructor(private readonly opts: { ttlMs: number; clock: () => number } = { ttlMs: ASYNC_RESULT_TTL_MS, clock: Date.now }) {}

  start(requestId: string, serviceId: string): void {
    this.sweep();
    this.results.set(requestId, { serviceId, state: 'running', createdAt: this.opts.clock() });
  }

  finish(requestId: string, answer: { status: number; contentType: string; body: Buffer }): void {
    const r = this.results.get(requestId);
    if (!r) return;
    Object.assign(r, { state: 'done', finishedAt: this.opts.clock(), ...answer });
    this.storedBytes += answer.body.length;
    // Oldest first, until the store fits again (never the one just finished).
    for (const [id, old] of this.results) {
      if (this.storedBytes <= MAX_STORED_BYTES || id === requestId) break;
      this.forget(id, old);
    }
  }

  fail(requestId: string, error: string): void {
    const r = this.results.get(requestId);
    if (r) Object.assign(r, { state: 'failed', finishedAt: this.opts.clock(), error });
  }

  /** The result of a request to `serviceId`; undefined when unknown, of another service, or expired. */
  get(requestId: string, serviceId: string): TAsyncResult | undefined {
    this.sweep();
    const r = this.results.get(requestId);
    return r && r.serviceId === serviceId ? r : undefined;
  }

  private sweep(): void {
    const t = this.opts.clock();
    for (const [id, r] of this.results) {
      if (r.finishedAt !== undefined && t - r.finishedAt > this.opts.ttlMs) this.forget(id, r);
    }
  }

  private forget(id: string, r: TAsyncResult): void {
    this.storedBytes -= r.body?.length ?? 0;
    this.results.delete(id);
  }
}

/** One call to an instance with the whole answer collected (≤ 12 MB), for asynchronous requests. */
export function callInstance(
  agent: http.Agent,
  target: { host: string; port: number },
  request: { method: string; path: string; headers: http.OutgoingHttpHeaders; body: Buffer; timeoutMs: number },
): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise<{ status: number; contentType: string; body: Buffer }>((resolve, reject) => {
    const headers = { ...request.headers, 'content-length': request.body.length };
    delete headers['transfer-encoding'];
    const req = http.request({ host: target.host, port: target.port, method: request.method, path: request.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) return void req.destroy(new Error('the answer is larger than 12 MB'));
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 502, contentType: String(res.headers['content-type'] ?? 'application/octet-stream'), body: Buffer.concat(chunks, size) }));
      res.on('error', reject);
    });
    // The whole call, not an idle socket: a model may answer slowly but must answer within the limit.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${Math.round(request.timeoutMs / 60_000)} minutes`)), request.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(request.body);
  });
}
