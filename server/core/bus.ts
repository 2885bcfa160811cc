/** In-process domain-event bus: the core announces changes; realtime and gateway adapters listen. */
import { EventEmitter } from 'node:events';
import type { TEventRecord } from '../contracts/events';

export type TDomainEvents = {
  'app.changed': [{ projectId: string; appId: string }];
  'service.changed': [{ projectId: string; serviceId: string }];
  'instance.changed': [{ projectId: string; serviceId: string; instanceId: string }];
  'event.recorded': [{ projectId: string; event: TEventRecord }];
};

export class DomainBus extends EventEmitter<TDomainEvents> {
  constructor() {
    super();
    this.setMaxListeners(100);
  }
}
