/** A trace with its context: the instance's log lines from the same seconds and the service's events around it. */
import type { TAnvilCore } from '../anvil-core';
import { notFound } from '../errors';
import type { TTrace } from './request-traces';

/** Log lines this long before the request and after its answer count as "the same seconds". */
const LOG_MARGIN_MS = 2000;
const EVENT_MARGIN_MS = 5 * 60_000;

export function traceDetail(core: Pick<TAnvilCore, 'traces' | 'logs' | 'events'>, serviceId: string, requestId: string) {
  const trace: TTrace | undefined = core.traces.get(serviceId, requestId);
  if (!trace) throw notFound(`Trace ${requestId}`);
  const from = trace.ts - LOG_MARGIN_MS;
  const to = trace.ts + Math.ceil(trace.latencyMs) + LOG_MARGIN_MS;
  const logs = core.logs.query({ serviceId, range: { kind: 'custom', from, to }, keyword: '', limit: 200, ...(trace.instanceId ? { instanceId: trace.instanceId } : {}) }).lines;
  const events = core.events.list('service', serviceId).filter((e) => Math.abs(e.createdAt - trace.ts) <= EVENT_MARGIN_MS);
  return { trace, logs, events };
}
