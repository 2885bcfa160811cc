/**
 * WebSocket proxying (guide §3.1.4.4): the authenticated handshake is replayed to the instance;
 * once it answers 101, its answer goes to the client and the two sockets are piped raw, so frames,
 * pings and close codes pass untouched (the platform only changes the address and the
 * authentication). Any other answer is relayed as plain HTTP. Frame headers are only read, to
 * know who closed first and where a frame ends.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * `status`: what the client was answered: 101, the instance's refusal, the gateway's error, or 499
 * when it left before any answer; `answerMs`: how long that answer took (the call's latency, where
 * `durationMs` is the whole connection's).
 */
export type TWsOutcome = { closedBy: 'client' | 'instance' | 'idle' | 'error'; status: number; answerMs: number; bytesIn: number; bytesOut: number; durationMs: number };

export type TWsForward = {
  target: { instanceId: string; host: string; port: number };
  /** Path and query as the instance sees them. */
  path: string;
  /** Already filtered (no credentials), with Connection/Upgrade and the Sec-WebSocket-* headers. */
  headers: http.OutgoingHttpHeaders;
  /** No byte either way for this long: both sides get a 1001 close frame and are closed. */
  idleMs: number;
  /** No answer to the handshake within this: INSTANCE_UNREACHABLE if the TCP connection never opened, else PREDICTION_TIMEOUT. */
  connectTimeoutMs: number;
  /** The gateway's own error answer, returning its status; called only while nothing was written to the client. */
  fail(error: 'INSTANCE_UNREACHABLE' | 'PREDICTION_TIMEOUT'): number;
  /** Exactly once, however the connection ends. */
  onEnd(outcome: TWsOutcome): void;
};

type TSide = 'client' | 'instance';

/** After the last byte, a side that was sent FIN (or a close frame) has this long to close before it is cut. */
const CLOSE_GRACE_MS = 5000;
const OP_CLOSE = 0x8;
const GOING_AWAY = 1001;

/** Writes a plain HTTP answer on a socket that asked to upgrade, and closes it. */
export function rejectUpgrade(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  if (!socket.writable) return void socket.destroy();
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  for (const [k, v] of Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Replays an authenticated upgrade to the instance and, on 101, pipes both sockets until one side closes. */
export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, o: TWsForward): void {
  const started = performance.now();
  let isEnded = false;
  let hasAnswered = false;
  let isConnected = false;
  let status = 499;
  let answerMs: number | undefined;
  const answered = (s: number) => {
    status = s;
    answerMs = performance.now() - started;
  };
  const bytes = { in: 0, out: 0 };
  const end = (closedBy: TWsOutcome['closedBy']) => {
    if (isEnded) return;
    isEnded = true;
    clearTimeout(connectTimer);
    socket.off('close', onClientGone);
    const durationMs = performance.now() - started;
    o.onEnd({ closedBy, status, answerMs: answerMs ?? durationMs, bytesIn: bytes.in, bytesOut: bytes.out, durationMs });
  };
  const failBeforeAnswer = (error: 'INSTANCE_UNREACHABLE' | 'PREDICTION_TIMEOUT') => {
    if (isEnded) return;
    if (hasAnswered) socket.destroy();
    else answered(o.fail(error));
    end('error');
  };
  // The http server dropped its own listeners at the upgrade: without one, an error would throw.
  socket.on('error', () => socket.destroy());
  // The client leaves before the instance answered, or while a refusal is being relayed.
  const onClientGone = () => {
    upstream.destroy();
    end('client');
  };
  socket.once('close', onClientGone);

  // agent: false — a connection that may become a WebSocket never goes back to a keep-alive pool.
  const upstream = http.request({ host: o.target.host, port: o.target.port, method: req.method ?? 'GET', path: o.path, headers: o.headers, agent: false });
  upstream.on('socket', (s) => s.once('connect', () => (isConnected = true)));
  const connectTimer = setTimeout(() => {
    upstream.destroy();
    failBeforeAnswer(isConnected ? 'PREDICTION_TIMEOUT' : 'INSTANCE_UNREACHABLE');
  }, o.connectTimeoutMs);
  upstream.on('error', () => failBeforeAnswer('INSTANCE_UNREACHABLE'));

  upstream.on('upgrade', (ures, instance: Socket, instanceHead: Buffer) => {
    if (isEnded || socket.destroyed) return void instance.destroy();
    clearTimeout(connectTimer);
    socket.off('close', onClientGone);
    hasAnswered = true;
    answered(101);
    socket.write(statusAndHeaders(101, ures.statusMessage || 'Switching Protocols', ures.rawHeaders));
    (socket as Partial<Socket>).setNoDelay?.(true);
    instance.setNoDelay(true);
    pipeBoth(socket, instance, head, instanceHead, o.idleMs, bytes, end);
  });

  upstream.on('response', (ures) => {
    // The instance refused the upgrade: its answer as it gave it, then the connection closes.
    clearTimeout(connectTimer);
    hasAnswered = true;
    answered(ures.statusCode ?? 502);
    const kept: string[] = [];
    for (let i = 0; i < ures.rawHeaders.length; i += 2) {
      if (!/^(connection|transfer-encoding|keep-alive|upgrade)$/i.test(ures.rawHeaders[i])) kept.push(ures.rawHeaders[i], ures.rawHeaders[i + 1]);
    }
    socket.write(statusAndHeaders(status, ures.statusMessage ?? '', [...kept, 'Connection', 'close']));
    ures.on('data', (chunk: Buffer) => (bytes.out += chunk.length));
    ures.on('end', () => end('instance'));
    ures.on('error', () => failBeforeAnswer('INSTANCE_UNREACHABLE'));
    ures.pipe(socket);
  });
  upstream.end();
}

function statusAndHeaders(status: number, message: string, rawHeaders: string[]): string {
  const lines = [`HTTP/1.1 ${status} ${message}`];
  for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Raw bytes both ways until either side closes or the connection idles; the other side follows. */
function pipeBoth(
  client: Duplex, instance: Socket, clientHead: Buffer, instanceHead: Buffer, idleMs: number,
  bytes: { in: number; out: number }, end: (by: TWsOutcome['closedBy']) => void,
): void {
  let firstClose: TSide | undefined;
  let isFinished = false;
  let idle: NodeJS.Timeout | undefined;
  const frames = {
    client: frameWatcher(() => (firstClose ??= 'client')),
    instance: frameWatcher(() => (firstClose ??= 'instance')),
  };
  const rearm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish('idle'), idleMs);
  };
  const finish = (by: TWsOutcome['closedBy'] | TSide) => {
    if (isFinished) return;
    isFinished = true;
    clearTimeout(idle);
    client.off('data', fromClient);
    instance.off('data', fromInstance);
    if (by === 'error') {
      client.destroy();
      instance.destroy();
    } else if (by === 'idle') {
      // Silence means both are between frames: a close frame is a clean end (1006 would say the network broke).
      if (frames.instance.isAtBoundary()) client.write(closeFrame(false));
      if (frames.client.isAtBoundary()) instance.write(closeFrame(true));
      for (const side of [client, instance]) closeSoon(side);
    } else {
      // What one side wrote last (its close frame) has reached the other; now that one closes too.
      closeSoon(by === 'client' ? instance : client);
    }
    end(by === 'client' || by === 'instance' ? (firstClose ?? by) : by);
  };
  const fromClient = (chunk: Buffer) => {
    bytes.in += chunk.length;
    frames.client.see(chunk);
    rearm();
    if (!instance.write(chunk)) client.pause();
  };
  const fromInstance = (chunk: Buffer) => {
    bytes.out += chunk.length;
    frames.instance.see(chunk);
    rearm();
    if (!client.write(chunk)) instance.pause();
  };
  if (instanceHead.length) fromInstance(instanceHead);
  if (clientHead.length) fromClient(clientHead);
  client.on('data', fromClient);
  instance.on('data', fromInstance);
  instance.on('drain', () => client.resume());
  client.on('drain', () => instance.resume());
  // Half-close passes through: a FIN from one side becomes a FIN to the other.
  client.on('end', () => instance.end());
  instance.on('end', () => client.end());
  client.on('close', () => finish('client'));
  instance.on('close', () => finish('instance'));
  client.on('error', () => finish('error'));
  instance.on('error', () => finish('error'));
  rearm();
}

function closeSoon(side: Duplex): void {
  side.end();
  const cut = setTimeout(() => side.destroy(), CLOSE_GRACE_MS);
  cut.unref();
  side.once('close', () => clearTimeout(cut));
}

/** A close frame with 1001 "idle timeout"; frames to the instance are masked, as a client's must be (RFC 6455 §5.3). */
function closeFrame(isMasked: boolean): Buffer {
  const payload = Buffer.concat([Buffer.from([GOING_AWAY >> 8, GOING_AWAY & 0xff]), Buffer.from('idle timeout')]);
  if (!isMasked) return Buffer.concat([Buffer.from([0x80 | OP_CLOSE, payload.length]), payload]);
  const mask = Buffer.from([0x5a, 0x3c, 0xa5, 0xc3]);
  return Buffer.concat([Buffer.from([0x80 | OP_CLOSE, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4])]);
}

/** Follows frame boundaries in one direction (headers only, RFC 6455 §5.2), to see the first close frame. */
function frameWatcher(onClose: () => void): { see(chunk: Buffer): void; isAtBoundary(): boolean } {
  let payloadLeft = 0;
  let partial = Buffer.alloc(0);
  let hasClosed = false;
  const headerSize = (h: Buffer) => {
    if (h.length < 2) return 14;
    const len7 = h[1] & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
  };
  const payloadSize = (h: Buffer) => {
    const len7 = h[1] & 0x7f;
    return len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7;
  };
  return {
    isAtBoundary: () => payloadLeft === 0 && partial.length === 0,
    see(chunk) {
      let at = 0;
      while (!hasClosed && at < chunk.length) {
        if (payloadLeft > 0) {
          const n = Math.min(payloadLeft, chunk.length - at);
          payloadLeft -= n;
          at += n;
          continue;
        }
        const h = Buffer.concat([partial, chunk.subarray(at, at + 14 - partial.length)]);
        const size = headerSize(h);
        if (h.length < size) {
          partial = h;
          at = chunk.length;
          continue;
        }
        at += size - partial.length;
        partial = Buffer.alloc(0);
        payloadLeft = payloadSize(h);
        if ((h[0] & 0x0f) === OP_CLOSE) {
          hasClosed = true;
          onClose();
        }
      }
    },
  };
}
