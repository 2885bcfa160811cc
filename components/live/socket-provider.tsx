'use client';
/**
 * One socket.io connection per browser tab. Pages declare the topics they show (`useLiveTopic`);
 * pushed updates are written straight into the TanStack Query cache, so open pages change without
 * reload or polling.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { TEventRecord } from '@/server/contracts/events';
import type { TLiveTick } from '@/server/contracts/monitoring';
import type { TClientToServer, TServerToClient } from '@/server/contracts/realtime';
import type { TLiveLogLine, TServiceDetail, TServiceSummary } from '@/server/contracts/services';
import { useTRPC } from '../trpc';
import { newerOf } from './newest-wins';

type TLiveSocket = Socket<TServerToClient, TClientToServer>;
type TTopics = { socket: () => TLiveSocket; counts: Map<string, number>; isConnected: boolean };

const LiveContext = createContext<TTopics | null>(null);

export function SocketProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useRef<{ socket?: TLiveSocket; counts: Map<string, number> }>({ counts: new Map() });
  const [isConnected, setConnected] = useState(false);

  const socket = (): TLiveSocket => {
    if (state.current.socket) return state.current.socket;
    const s: TLiveSocket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
    state.current.socket = s;
    s.on('disconnect', (reason) => {
      setConnected(false);
      // The server ends a socket whose session ended (logout, expiry, revoked): the pages find out
      // (me → 401 → login), and the socket tries again, so a new login in this tab is live again.
      if (reason === 'io server disconnect') {
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        setTimeout(() => s.connect(), 2000);
      }
    });
    s.on('connect', () => {
      setConnected(true);
      // Rejoin every topic and catch up on what changed while disconnected.
      for (const topic of state.current.counts.keys()) s.emit('subscribe', topic);
      void queryClient.invalidateQueries();
    });
    // A refused handshake (not logged in yet) is not retried by socket.io itself.
    s.on('connect_error', () => {
      if (!s.active) setTimeout(() => s.connect(), 2000);
    });
    s.on('service:update', (service) => {
      // Pushes can overtake each other's fetches: an older copy never replaces a newer one.
      const detailKey = trpc.services.get.queryKey({ id: service.id });
      const before = queryClient.getQueryData<TServiceDetail>(detailKey);
      queryClient.setQueryData(detailKey, (old: TServiceDetail | undefined) => (old && old.updatedAt <= service.updatedAt ? { ...old, ...service } : old));
      // An instance push that arrived before the detail's first fetch answered was dropped: when the
      // summary's ready count disagrees with the instances shown, fetch the detail again.
      const shownReady = before?.instances.filter((i) => i.status === 'ready').length;
      if (before && before.updatedAt <= service.updatedAt && shownReady !== service.readyInstances) void queryClient.invalidateQueries({ queryKey: detailKey });
      queryClient.setQueryData(trpc.services.list.queryKey(), (old: TServiceSummary[] | undefined) => {
        if (!old) return old;
        return old.some((s) => s.id === service.id) ? old.map((s) => (s.id === service.id ? newerOf(s, service) : s)) : [service, ...old];
      });
    });
    s.on('service:removed', ({ id }) => {
      queryClient.setQueryData(trpc.services.list.queryKey(), (old: TServiceSummary[] | undefined) => old?.filter((s) => s.id !== id));
    });
    s.on('service:instances', ({ serviceId, instances }) => {
      queryClient.setQueryData(trpc.services.get.queryKey({ id: serviceId }), (old: TServiceDetail | undefined) =>
        old ? { ...old, instances } : old,
      );
    });
    s.on('notifications:changed', () => {
      void queryClient.invalidateQueries({ queryKey: trpc.alarms.notifications.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.alarms.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.alarms.rules.queryKey() });
    });
    s.on('app:update', ({ id }) => {
      void queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ id }) });
    });
    s.on('event:new', (event) => {
      const key =
        event.resourceType === 'app' ? trpc.apps.events.queryKey({ id: event.resourceId }) : trpc.services.events.queryKey({ id: event.resourceId });
      queryClient.setQueryData(key, (old: TEventRecord[] | undefined) => (!old || old.some((e) => e.id === event.id) ? old : [event, ...old]));
    });
    return s;
  };

  useEffect(() => () => void state.current.socket?.disconnect(), []);
  return <LiveContext.Provider value={{ socket, counts: state.current.counts, isConnected }}>{children}</LiveContext.Provider>;
}

/** Keeps the page subscribed to a topic ('services', 'apps', 'service:<id>', 'app:<id>') while mounted. */
export function useLiveTopic(topic: string | undefined): void {
  const live = useContext(LiveContext);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!live || !topic) return;
    const socket = live.socket();
    const n = live.counts.get(topic) ?? 0;
    live.counts.set(topic, n + 1);
    // Changes made before the subscription were not pushed to this socket (the page's data may be a
    // cached copy from a few seconds ago): refetch the topic's queries once it is subscribed.
    const catchUp = () => {
      const [kind, id] = topic.split(':');
      const keys =
        kind === 'apps' ? [trpc.apps.list.queryKey()]
        : kind === 'services' ? [trpc.services.list.queryKey()]
        : kind === 'app' ? [trpc.apps.get.queryKey({ id }), trpc.apps.events.queryKey({ id })]
        : [trpc.services.get.queryKey({ id }), trpc.services.events.queryKey({ id })];
      for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
    };
    if (n === 0 && socket.connected) socket.emit('subscribe', topic, catchUp);
    return () => {
      const left = (live.counts.get(topic) ?? 1) - 1;
      if (left > 0) return void live.counts.set(topic, left);
      live.counts.delete(topic);
      socket.emit('unsubscribe', topic);
    };
  }, [live, topic, trpc, queryClient]);
}

/** Calls `listener` with each live metrics tick of `serviceId` while mounted (the page subscribes to `service:<id>`). */
export function useMetricTicks(serviceId: string, listener: (tick: TLiveTick) => void): void {
  const live = useContext(LiveContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    if (!live) return;
    const socket = live.socket();
    const onTick = (tick: TLiveTick) => tick.serviceId === serviceId && latest.current(tick);
    socket.on('metrics:tick', onTick);
    return () => void socket.off('metrics:tick', onTick);
  }, [live, serviceId]);
}

/** Calls `listener` with each batch of new log lines of `serviceId` while mounted (the live tail). */
export function useLogLines(serviceId: string, listener: (lines: TLiveLogLine[]) => void, isOn: boolean): void {
  const live = useContext(LiveContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    if (!live || !isOn) return;
    const socket = live.socket();
    const onLines = (p: { serviceId: string; lines: TLiveLogLine[] }) => p.serviceId === serviceId && latest.current(p.lines);
    socket.on('logs:lines', onLines);
    return () => void socket.off('logs:lines', onLines);
  }, [live, serviceId, isOn]);
}

/** Whether pushed updates are flowing (the socket is connected). */
export function useIsLive(): boolean {
  return useContext(LiveContext)?.isConnected ?? false;
}
