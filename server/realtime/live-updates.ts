/**
 * socket.io adapter: authenticates sockets with the console session, lets them join rooms per
 * resource (validated, project-checked), and forwards core domain events into those rooms.
 */
import type http from 'node:http';
import { Server } from 'socket.io';
import type { TClientToServer, TServerToClient } from '../contracts/realtime';
import { ZTopicSchema } from '../contracts/realtime';
import type { TAnvilCore } from '../core/anvil-core';
import type { TIdentity } from '../core/iam/identity';
import { sessionToken } from '../rest/http-io';

type SocketData = { identity: TIdentity };

const projectRoom = (projectId: string, topic: 'apps' | 'services') => `${projectId}:${topic}`;

export function attachLiveUpdates(core: TAnvilCore, server: http.Server): Server<TClientToServer, TServerToClient, never, SocketData> {
  const io = new Server<TClientToServer, TServerToClient, never, SocketData>(server, { path: '/socket.io', serveClient: false });

  io.use((socket, next) => {
    const token = sessionToken(socket.request);
    const check = token ? core.credentials.check(token, 'session') : undefined;
    if (!check || !('identity' in check)) return next(new Error('unauthorized'));
    socket.data.identity = check.identity;
    next();
  });

  io.on('connection', (socket) => {
    const { projectId } = socket.data.identity;
    socket.on('subscribe', (raw, ack) => {
      const topic = ZTopicSchema.safeParse(raw);
      if (!topic.success) return ack?.({ ok: false, error: 'unknown topic' });
      const t = topic.data;
      if (t === 'apps' || t === 'services') {
        void socket.join(projectRoom(projectId, t));
        return ack?.({ ok: true });
      }
      const [kind, id] = t.split(':');
      const owner = kind === 'service' ? core.services.projectOf(id) : core.registry.projectOf(id);
      if (owner !== projectId) return ack?.({ ok: false, error: 'not found' });
      void socket.join(t);
      ack?.({ ok: true });
    });
    socket.on('unsubscribe', (raw) => {
      if (typeof raw === 'string') void socket.leave(raw);
    });
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
  core.bus.on('event.recorded', ({ event }) => {
    io.to(`${event.resourceType}:${event.resourceId}`).emit('event:new', event);
  });
  return io;
}

