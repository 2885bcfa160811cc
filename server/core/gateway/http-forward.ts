/**
 * The proxy leg of a prediction: one request to one instance and its answer back, counted and
 * timed. Bodies are relayed chunk by chunk (never buffered), with back-pressure both ways and
 * Nagle off on both sockets, so a small answer leaves in the packet it arrived in and an SSE event
 * is forwarded the moment the instance writes it. The time limit covers the whole answer of a
 * plain response; an event stream has an idle limit instead.
 */
import http from 'node:http';

export type TForwardTarget = { instanceId: string; host: string; port: number };
export type TForwardError = 'INSTANCE_UNREACHABLE' | 'PREDICTION_TIMEOUT' | 'BODY_TOO_LARGE';
export type TForwardOutcome = {
  status: number;
  bytesIn: number;
  bytesOut: number;
  latencyMs: number;
  error?: TForwardError | 'CLIENT_ABORTED';
  /** With `captureBytes`: the first bytes of each body (one past the cap, so a cut shows) and the answer's content type. */
  captured?: { request: Buffer; response: Buffer; responseType: string };
};
export type TForwardRequest = {
  target: TForwardTarget;
  /** Path and query as the instance sees them. */
  path: string;
  /** Already filtered by the gateway: no credentials, no hop-by-hop headers. */
  headers: http.OutgoingHttpHeaders;
  /** The body, when the gateway had to read it whole (a signature over it); otherwise the request streams. */
  body?: Buffer;
  maxBodyBytes: number;
  /** The whole answer of a plain response, status line to last byte. */
  timeoutMs: number;
  /** `text/event-stream` answers: the longest silence between two chunks. */
  streamIdleMs: number;
  /** The gateway's own error answer; called only while no response header was sent. */
  fail(error: TForwardError): void;
  /** Exactly once, however the exchange ends. */
  onEnd(outcome: TForwardOutcome): void;
  /** Keep the first this many bytes of both bodies (request traces with payload capture). */
  captureBytes?: number;
};

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'server']);

export class HttpForwarder {
  private readonly agent: http.Agent;

  constructor(opts: { maxSockets?: number } = {}) {
    // LIFO reuses the warmest socket; idle sockets beyond the working set time out and close.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 512, scheduling: 'lifo', timeout: 60_000 });
  }

  forward(req: http.IncomingMessage, res: http.ServerResponse, r: TForwardRequest): void {
    const started = performance.now();
    let status = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let isEnded = false;
    let isStream = false;
    let timer: NodeJS.Timeout | undefined;
    // Payload capture: chunks until one past the cap (only when a trace asked for it).
    const cap = r.captureBytes ? r.captureBytes + 1 : 0;
    const reqParts: Buffer[] = [];
    const resParts: Buffer[] = [];
    let reqKept = 0;
    let resKept = 0;
    let responseType = '';
    const keep = (parts: Buffer[], kept: number, chunk: Buffer) => {
      if (kept >= cap) return kept;
      parts.push(chunk.subarray(0, cap - kept));
      return kept + Math.min(chunk.length, cap - kept);
    };
    const end = (error?: TForwardOutcome['error']) => {
      if (isEnded) return;
      isEnded = true;
      clearTimeout(timer);
      const captured = cap ? { request: Buffer.concat(reqParts), response: Buffer.concat(resParts), responseType } : undefined;
      r.onEnd({ status, bytesIn, bytesOut, latencyMs: performance.now() - started, error, captured });
    };
    /** Before the answer started: the gateway's error. After: the client must see a cut, not a hang. */
    const abort = (error: TForwardError) => {
      upstream.destroy();
      if (!res.headersSent) {
        status = error === 'PREDICTION_TIMEOUT' ? 504 : error === 'BODY_TOO_LARGE' ? 413 : 502;
        r.fail(error);
      } else {
        res.destroy();
      }
      end(error);
    };
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => abort('PREDICTION_TIMEOUT'), ms);
    };

    const headers = r.headers;
    if (r.body) {
      headers['content-length'] = r.body.length;
      delete headers['transfer-encoding'];
    }
    const upstream = http.request({ host: r.target.host, port: r.target.port, method: req.method, path: r.path, headers, agent: this.agent });
    upstream.setNoDelay(true);
    arm(r.timeoutMs);

    upstream.on('response', (ures) => {
      status = ures.statusCode ?? 502;
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ures.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
      responseType = String(ures.headers['content-type'] ?? '');
      isStream = responseType.startsWith('text/event-stream');
      res.writeHead(status, out);
      if (isStream) {
        res.socket?.setNoDelay(true);
        res.flushHeaders();
        arm(r.streamIdleMs);
      }
      ures.on('data', (chunk: Buffer) => {
        bytesOut += chunk.length;
        if (cap) resKept = keep(resParts, resKept, chunk);
        if (isStream) arm(r.streamIdleMs);
        if (!res.write(chunk)) ures.pause();
      });
      res.on('drain', () => ures.resume());
      ures.on('end', () => {
        res.end();
        end();
      });
      ures.on('aborted', () => {
        res.destroy();
        end('INSTANCE_UNREACHABLE');
      });
      ures.on('error', () => {
        res.destroy();
        end('INSTANCE_UNREACHABLE');
      });
    });
    upstream.on('error', () => {
      if (!isEnded) abort('INSTANCE_UNREACHABLE');
    });
    res.on('close', () => {
      if (isEnded) return;
      // The client went away before the answer was complete.
      upstream.destroy();
      end('CLIENT_ABORTED');
    });

    if (r.body) {
      bytesIn = r.body.length;
      if (cap) reqKept = keep(reqParts, reqKept, r.body);
      upstream.end(r.body);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      bytesIn += chunk.length;
      if (cap) reqKept = keep(reqParts, reqKept, chunk);
      if (bytesIn > r.maxBodyBytes) {
        req.removeAllListeners('data');
        req.resume();
        return abort('BODY_TOO_LARGE');
      }
      if (!upstream.write(chunk)) req.pause();
    });
    upstream.on('drain', () => req.resume());
    req.on('end', () => {
      if (!isEnded) upstream.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
