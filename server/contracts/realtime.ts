/** socket.io event maps shared by the server adapter and the browser. */
import { z } from 'zod';
import type { TEventRecord } from './events';
import type { TLiveTick } from './monitoring';
import type { TInstance, TLiveLogLine, TServiceSummary } from './services';

/** Rooms a browser can join: a list page or one resource's page. */
export const ZTopicSchema = z.union([
  z.literal('apps'),
  z.literal('services'),
  z.string().regex(/^(app|service):[0-9a-f-]{36}$/),
]);

export type TServerToClient = {
  'service:update': (service: TServiceSummary) => void;
  'service:removed': (payload: { id: string }) => void;
  'service:instances': (payload: { serviceId: string; instances: TInstance[] }) => void;
  'app:update': (payload: { id: string }) => void;
  'event:new': (event: TEventRecord) => void;
  /** Every 10 s while the service runs: its live metrics (subscribers of `service:<id>`). */
  'metrics:tick': (tick: TLiveTick) => void;
  /** The project's notifications changed (an alarm fired or resolved, or they were read). */
  'notifications:changed': () => void;
  /** New log lines of a service (subscribers of `service:<id>`): the logs tab's live tail. */
  'logs:lines': (payload: { serviceId: string; lines: TLiveLogLine[] }) => void;
};

export type TClientToServer = {
  subscribe: (topic: string, ack?: (result: { ok: boolean; error?: string }) => void) => void;
  unsubscribe: (topic: string) => void;
};
