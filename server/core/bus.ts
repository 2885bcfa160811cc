/** In-process domain-event bus: the core announces changes; realtime and gateway adapters listen. */
import { EventEmitter } from 'node:events';
import type { TEventRecord } from '../contracts/events';
import type { TLiveTick } from '../contracts/monitoring';
import type { TLiveLogLine } from '../contracts/services';

export type TDomainEvents = {
  'app.changed': [{ projectId: string; appId: string }];
  'service.changed': [{ projectId: string; serviceId: string }];
  'instance.changed': [{ projectId: string; serviceId: string; instanceId: string }];
  'event.recorded': [{ projectId: string; event: TEventRecord }];
  /** Instance log lines were stored (every 200 ms while instances write): the logs tab's live tail. */
  'logs.written': [{ serviceId: string; lines: TLiveLogLine[] }];
  /** A deleted service's rows are gone; what is kept elsewhere about it (metrics) goes too. */
  'service.purged': [{ serviceId: string }];
  /** The monitoring collector's tick (every 10 s) for one service: the live charts. */
  'metrics.tick': [TLiveTick];
  /** A project's alarms or console notifications changed (an alarm fired or resolved, or they were read): the bell and the alarms page. */
  'notifications.changed': [{ projectId: string }];
  /** A token or session stopped being valid before its expiry (logout, user deleted, membership removed, password reset). */
  /** Gateway credentials changed: a user's access keys, or a project's APP-authentication apps, codes or bindings. */
  /** A training job or one of its runs changed (created, started, ended, deleted): the jobs pages. */
  'training.changed': [{ projectId: string; jobId: string }];
  /** Log lines of a training run were stored: the job page's live log. */
  'training.logs': [{ projectId: string; jobId: string; runId: string; lines: { id: number; ts: number; stream: 'stdout' | 'stderr'; line: string }[] }];
  'access.changed': [{ kind: 'access-key'; userId: string } | { kind: 'auth-app'; projectId: string }];
  'token.revoked': [{ tokenHash: string; kind: 'api' | 'session'; userId: string; projectId: string }];
};

export class DomainBus extends EventEmitter<TDomainEvents> {
  constructor() {
    super();
    this.setMaxListeners(100);
  }
}
