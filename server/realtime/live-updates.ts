/**
 * socket.io adapter: authenticates sockets with the console session, lets them join rooms per
 * resource (validated, project-checked), and forwards core domain events into those rooms.
 * A socket lives only as long as its session: it is checked again on every subscription, and the
 * socket is disconnected when the session is revoked (logout, user or membership removed) or expires.
 */
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { TClientToServer, TServerToClient } from '../contracts/realtime';
import { ZTopicSchema } from '../contracts/realtime';
import type { TAnvilCore } from '../core/anvil-core';
import type { TIdentity } from '../core/iam/identity';
import { tokenHash } from '../core/iam/iam';
import { sessionToken } from '../rest/http-io';

type SocketData = { identity: TIdentity; token: string; tokenHash: string; expiresAt: number };
type TLiveSocket = Socket<TClientToServer, TServerToClient, never, SocketData>;

const projectRoom = (projectId: string, topic: 'apps' | 'services') => `${projectId}:${topic}`;
/** setTimeout's limit; a later expiry is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Browsers send `Origin` with every websocket and cross-site handshake: only Anvil's own pages (same
 * host, or ANVIL_PUBLIC_URL behind a proxy) may open a socket with the user's cookie. Clients that
 * are not browsers send no Origin and are allowed; they still need a session.
 */
export function isAllowedOrigin(req: http.IncomingMessage, publicUrl?: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (host && host === req.headers.host) return true;
  return !!publicUrl && new URL(publicUrl).host === host;
}

export function attachLiveUpdates(
  core: TAnvilCore,
  server: http.Server,
  opts: { publicUrl?: string } = {},
): Server<TClientToServer, TServerToClient, never, SocketData> {
  const io = new Server<TClientToServer, TServerToClient, never, SocketData>(server, {
    path: '/socket.io',
    serveClient: false,
    // Other upgrades (WebSocket services behind the gateway) are answered elsewhere, maybe after more than a second.
    destroyUpgrade: false,
    allowRequest: (req, callback) => (isAllowedOrigin(req, opts.publicUrl) ? callback(null, true) : callback('Origin not allowed', false)),
  });

  /** Asks the database (not the credential cache), so a session ended elsewhere is caught at the next subscription. */
  const isSessionLive = (socket: TLiveSocket): boolean => {
    const found = core.iam.resolveToken(socket.data.token, 'session');
    return !!found && found !== 'expired';
  };

  io.use((socket, next) => {
    const token = sessionToken(socket.request);
    const found = token ? core.iam.resolveToken(token, 'session') : undefined;
    if (!token || !found || found === 'expired') return next(new Error('unauthorized'));
    socket.data = { identity: found.identity, token, tokenHash: tokenHash(token), expiresAt: found.expiresAt };
    next();
  });

  io.on('connection', (socket) => {
    const { projectId } = socket.data.identity;
    // The bell: every console page of the project hears when its notifications change.
    void socket.join(`${projectId}:notifications`);
    let expiry: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      expiry = setTimeout(() => (socket.data.expiresAt <= Date.now() ? socket.disconnect(true) : armExpiry()), Math.min(MAX_TIMER_MS, socket.data.expiresAt - Date.now()));
    };
    armExpiry();
    socket.on('disconnect', () => clearTimeout(expiry));

    socket.on('subscribe', (raw, ack) => {
      // A client may send anything as the acknowledgement; calling a non-function would throw out of socket.io and end Anvil.
      const reply = typeof ack === 'function' ? ack : () => undefined;
      if (!isSessionLive(socket)) {
        reply({ ok: false, error: 'unauthorized' });
        return void socket.disconnect(true);
      }
      const topic = ZTopicSchema.safeParse(raw);
      if (!topic.success) return reply({ ok: false, error: 'unknown topic' });
      const t = topic.data;
      if (t === 'apps' || t === 'services') {
        void socket.join(projectRoom(projectId, t));
        return reply({ ok: true });
      }
      const [kind, id] = t.split(':');
      const owner = kind === 'service' ? core.services.projectOf(id) : core.registry.projectOf(id);
      if (owner !== projectId) return reply({ ok: false, error: 'not found' });
      void socket.join(t);
      reply({ ok: true });
    });
    socket.on('unsubscribe', (raw) => {
      const topic = ZTopicSchema.safeParse(raw);
      if (!topic.success) return;
      const t = topic.data;
      void socket.leave(t === 'apps' || t === 'services' ? projectRoom(projectId, t) : t);
    });
  });

  core.bus.on('token.revoked', ({ tokenHash: revoked, kind }) => {
    if (kind !== 'session') return;
    for (const socket of io.of('/').sockets.values()) if (socket.data.tokenHash === revoked) socket.disconnect(true);
  });
  core.bus.on('service.changed', ({ projectId, serviceId }) => {
    const rooms = [projectRoom(projectId, 'services'), `service:${serviceId}`];
    try {
      io.to(rooms).emit('service:update', core.services.summary(projectId, serviceId));
    } catch {
      io.to(rooms).emit('service:removed', { id: serviceId });
    }
  });
  core.bus.on('instance.changed', ({ projectId, serviceId }) => {
    const room = `service:${serviceId}`;
    try {
      io.to(room).emit('service:instances', { serviceId, instances: core.services.get(projectId, serviceId).instances });
      io.to(projectRoom(projectId, 'services')).emit('service:update', core.services.summary(projectId, serviceId));
    } catch {
      /* the service was deleted meanwhile */
    }
  });
  core.bus.on('app.changed', ({ projectId, appId }) => {
    io.to([projectRoom(projectId, 'apps'), `app:${appId}`]).emit('app:update', { id: appId });
  });
  core.bus.on('notifications.changed', ({ projectId }) => {
    io.to(`${projectId}:notifications`).emit('notifications:changed');
  });
  core.bus.on('logs.written', ({ serviceId, lines }) => {
    io.to(`service:${serviceId}`).emit('logs:lines', { serviceId, lines });
  });
  core.bus.on('metrics.tick', (tick) => {
    io.to(`service:${tick.serviceId}`).emit('metrics:tick', tick);
  });
  core.bus.on('event.recorded', ({ event }) => {
    io.to(`${event.resourceType}:${event.resourceId}`).emit('event:new', event);
  });
  return io;
}
