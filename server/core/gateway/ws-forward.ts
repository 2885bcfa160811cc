/**
 * WebSocket proxying (guide §3.1.4.4): the authenticated handshake is replayed to the instance;
 * once it answers 101, its answer goes to the client and the two sockets are piped raw, so frames,
 * pings and close codes pass untouched (the platform only changes the address and the
 * authentication). Any other answer is relayed as plain HTTP.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export type TWsOutcome = { closedBy: 'client' | 'instance' | 'idle' | 'error'; bytesIn: number; bytesOut: number; durationMs: number };

export type TWsForward = {
  target: { instanceId: string; host: string; port: number };
  /** Path and query as the instance sees them. */
  path: string;
  /** Already filtered (no credentials), with Connection/Upgrade and the Sec-WebSocket-* headers. */
  headers: http.OutgoingHttpHeaders;
  /** No frame either way for this long: both sides are closed. */
  idleMs: number;
  /** The instance does not answer the handshake within this: INSTANCE_UNREACHABLE. */
  connectTimeoutMs: number;
  fail(error: 'INSTANCE_UNREACHABLE' | 'PREDICTION_TIMEOUT'): void;
  onEnd(outcome: TWsOutcome): void;
};

/** Writes a plain HTTP answer on a socket that asked to upgrade, and closes it. */
export function rejectUpgrade(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  if (!socket.writable) return void socket.destroy();
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  for (const [k, v] of Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, o: TWsForward): void {
  const started = performance.now();
  let isEnded = false;
  let bytesIn = head.length;
  let bytesOut = 0;
  const end = (closedBy: TWsOutcome['closedBy']) => {
    if (isEnded) return;
    isEnded = true;
    o.onEnd({ closedBy, bytesIn, bytesOut, durationMs: performance.now() - started });
  };
  const upstream = http.request({ host: o.target.host, port: o.target.port, method: req.method, path: o.path, headers: o.headers });
  const connectTimer = setTimeout(() => {
    upstream.destroy();
    o.fail('PREDICTION_TIMEOUT');
    end('error');
  }, o.connectTimeoutMs);
  // The client gave up during the handshake.
  const onEarlyClose = () => {
    clearTimeout(connectTimer);
    upstream.destroy();
    end('client');
  };
  socket.once('close', onEarlyClose);
  socket.on('error', () => socket.destroy());

  upstream.on('upgrade', (ures, instance: Socket, instanceHead: Buffer) => {
    clearTimeout(connectTimer);
    socket.off('close', onEarlyClose);
    if (isEnded || socket.destroyed) {
      instance.destroy();
      return end('client');
    }
    const lines = [`HTTP/1.1 101 ${ures.statusMessage || 'Switching Protocols'}`];
    for (let i = 0; i < ures.rawHeaders.length; i += 2) lines.push(`${ures.rawHeaders[i]}: ${ures.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (instanceHead.length) socket.write(instanceHead);
    if (head.length) instance.write(head);
    (socket as Socket).setNoDelay?.(true);
    instance.setNoDelay(true);
    pipeBoth(socket, instance, o.idleMs, (n) => (bytesIn += n), (n) => (bytesOut += n), end);
  });
  upstream.on('response', (ures) => {
    // The instance refused the upgrade: its answer, as it gave it.
    clearTimeout(connectTimer);
    socket.off('close', onEarlyClose);
    const lines = [`HTTP/1.1 ${ures.statusCode} ${ures.statusMessage ?? ''}`];
    for (let i = 0; i < ures.rawHeaders.length; i += 2) {
      if (!/^(connection|transfer-encoding|keep-alive)$/i.test(ures.rawHeaders[i])) lines.push(`${ures.rawHeaders[i]}: ${ures.rawHeaders[i + 1]}`);
    }
    socket.write(`${lines.join('\r\n')}\r\nconnection: close\r\n\r\n`);
    ures.pipe(socket);
    ures.on('end', () => end('instance'));
  });
  upstream.on('error', () => {
    clearTimeout(connectTimer);
    if (isEnded) return;
    o.fail('INSTANCE_UNREACHABLE');
    end('error');
  });
  upstream.end();
}

/** Raw bytes both ways until either side closes or the connection idles; the other side follows. */
function pipeBoth(client: Duplex, instance: Socket, idleMs: number, countIn: (n: number) => void, countOut: (n: number) => void, end: (by: TWsOutcome['closedBy']) => void): void {
  let idle: NodeJS.Timeout | undefined;
  const rearm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish('idle'), idleMs);
  };
  const finish = (by: TWsOutcome['closedBy']) => {
    clearTimeout(idle);
    if (by === 'idle' || by === 'error') {
      client.destroy();
      instance.destroy();
    } else {
      // Let what one side wrote last (its close frame) reach the other before that one closes too.
      const other = by === 'client' ? instance : client;
      other.end();
      setTimeout(() => other.destroy(), 5000).unref();
    }
    end(by);
  };
  client.on('data', (chunk: Buffer) => {
    countIn(chunk.length);
    rearm();
    if (!instance.write(chunk)) client.pause();
  });
  instance.on('data', (chunk: Buffer) => {
    countOut(chunk.length);
    rearm();
    if (!client.write(chunk)) instance.pause();
  });
  instance.on('drain', () => client.resume());
  client.on('drain', () => instance.resume());
  // A close frame has already passed through as data; the TCP end follows it to the other side.
  client.on('end', () => instance.end());
  instance.on('end', () => client.end());
  client.on('close', () => finish('client'));
  instance.on('close', () => finish('instance'));
  instance.on('error', () => finish('error'));
  client.on('error', () => finish('error'));
  rearm();
}
