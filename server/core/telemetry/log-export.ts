/**
 * Log export (guide "运行日志输出"): a service's instance log lines, as they are stored, also go to
 * one target — a daily file in one of the project's object-storage buckets, a syslog server
 * (RFC 5424 over UDP, or TCP with octet counting), or Loki's push API. Delivery is in batches, in
 * order per service, off the path of the logs themselves; a failed batch is counted and dropped
 * (the lines stay searchable in Anvil), and the tab shows the last error.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { TLiveLogLine } from '../../contracts/services';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { invalid } from '../errors';
import type { BucketRegistry } from '../storage/bucket-registry';
import type { LocalObjectStore } from '../storage/local-object-store';

export const ZLogExportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('off') }),
  z.object({
    kind: z.literal('obs'),
    bucket: z.string().min(1, 'Choose a bucket.'),
    prefix: z.string().max(200, 'At most 200 characters.').regex(/^[\w\-./]*$/, 'Letters, digits, "-", "_", "." and "/".').default('logs'),
  }),
  z.object({
    kind: z.literal('syslog'),
    host: z.string().min(1, 'Enter a host.').max(253, 'At most 253 characters.').regex(/^[\w.\-:]+$/, 'A host name or IP address.'),
    port: z.number({ error: 'Enter a port.' }).int('A whole number.').min(1, 'A port is 1-65535.').max(65535, 'A port is 1-65535.'),
    protocol: z.enum(['udp', 'tcp']).default('udp'),
  }),
  z.object({ kind: z.literal('loki'), url: z.url({ protocol: /^https?$/, error: 'An http(s) URL, e.g. http://loki:3100/loki/api/v1/push.' }) }),
]);
export type TLogExport = z.output<typeof ZLogExportSchema>;
export type TLogExportStatus = { delivered: number; failedBatches: number; lastError: string; lastAt: number | null };

const TIMEOUT_MS = 10_000;
/** Syslog facility local0; severity info for stdout, err for stderr (RFC 5424 §6.2.1). */
const PRI = { stdout: 16 * 8 + 6, stderr: 16 * 8 + 3 } as const;

type TService = { projectId: string; name: string };

export class LogExporter {
  private readonly targets = new Map<string, TLogExport>();
  private readonly status = new Map<string, TLogExportStatus>();
  /** One delivery chain per service: batches leave in the order they were stored. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: { db: TDatabase; bus: DomainBus; store: LocalObjectStore; buckets: BucketRegistry; service(id: string): TService | undefined },
  ) {
    for (const row of deps.db.prepare('SELECT service_id, target FROM log_exports').all() as { service_id: string; target: string }[]) {
      this.targets.set(row.service_id, JSON.parse(row.target) as TLogExport);
    }
    deps.bus.on('logs.written', ({ serviceId, lines }) => this.enqueue(serviceId, lines));
    deps.bus.on('service.purged', ({ serviceId }) => {
      this.targets.delete(serviceId);
      this.status.delete(serviceId);
    });
  }

  get(serviceId: string): { target: TLogExport; status: TLogExportStatus } {
    return { target: this.targets.get(serviceId) ?? { kind: 'off' }, status: this.status.get(serviceId) ?? { delivered: 0, failedBatches: 0, lastError: '', lastAt: null } };
  }

  /** The caller checked that the service is the project's; a bucket must be the project's too. */
  set(projectId: string, serviceId: string, input: unknown): { target: TLogExport; status: TLogExportStatus } {
    const parsed = ZLogExportSchema.safeParse(input);
    if (!parsed.success) throw invalid(String(parsed.error.issues[0].path.join('.') || 'kind'), parsed.error.issues[0].message);
    const target = parsed.data;
    if (target.kind === 'obs') {
      if (this.deps.buckets.ownerOf(target.bucket) !== projectId) throw invalid('bucket', `The project has no bucket ${target.bucket}.`);
      if (target.prefix.split('/').includes('..')) throw invalid('prefix', 'The prefix cannot contain "..".');
    }
    if (target.kind === 'off') {
      this.deps.db.prepare('DELETE FROM log_exports WHERE service_id = ?').run(serviceId);
      this.targets.delete(serviceId);
    } else {
      this.deps.db.prepare('INSERT INTO log_exports (service_id, target) VALUES (?, ?) ON CONFLICT (service_id) DO UPDATE SET target = excluded.target').run(serviceId, JSON.stringify(target));
      this.targets.set(serviceId, target);
    }
    this.status.delete(serviceId);
    return this.get(serviceId);
  }

  /** Resolves once every batch queued so far is delivered or dropped (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private enqueue(serviceId: string, lines: TLiveLogLine[]): void {
    const target = this.targets.get(serviceId);
    const service = this.deps.service(serviceId);
    if (!target || target.kind === 'off' || !service) return;
    const previous = this.chains.get(serviceId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(serviceId, service, target, lines));
    this.chains.set(serviceId, next);
  }

  private async deliver(serviceId: string, service: TService, target: TLogExport, lines: TLiveLogLine[]): Promise<void> {
    const status = this.get(serviceId).status;
    try {
      if (target.kind === 'obs') this.appendToObject(serviceId, service, target, lines);
      else if (target.kind === 'syslog') await sendSyslog(target, service.name, lines);
      else if (target.kind === 'loki') await pushToLoki(target.url, serviceId, service.name, lines);
      this.status.set(serviceId, { ...status, delivered: status.delivered + lines.length, lastAt: Date.now() });
    } catch (e) {
      this.status.set(serviceId, { ...status, failedBatches: status.failedBatches + 1, lastError: String((e as Error).message).slice(0, 300), lastAt: Date.now() });
    }
  }

  /** `<prefix>/<service name>-<id8>/<YYYY-MM-DD>.log` in the bucket, one line per log line. */
  private appendToObject(serviceId: string, service: TService, target: Extract<TLogExport, { kind: 'obs' }>, lines: TLiveLogLine[]): void {
    const byDay = new Map<string, string[]>();
    for (const l of lines) {
      const day = new Date(l.ts).toISOString().slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), `${new Date(l.ts).toISOString()} ${l.instanceId} ${l.stream} ${l.line}\n`]);
    }
    for (const [day, text] of byDay) {
      const key = [target.prefix.replace(/^\/+|\/+$/g, ''), `${service.name}-${serviceId.slice(0, 8)}`, `${day}.log`].filter(Boolean).join('/');
      const file = this.deps.store.pathOf(target.bucket, key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, text.join(''));
    }
  }
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`. */
export function syslogMessage(serviceName: string, l: TLiveLogLine): string {
  const app = serviceName.replace(/[^\x21-\x7e]/g, '_').slice(0, 48) || '-';
  return `<${PRI[l.stream]}>1 ${new Date(l.ts).toISOString()} anvil ${app} ${l.instanceId.slice(0, 8)} - - ${l.line}`;
}

async function sendSyslog(target: Extract<TLogExport, { kind: 'syslog' }>, serviceName: string, lines: TLiveLogLine[]): Promise<void> {
  const messages = lines.map((l) => Buffer.from(syslogMessage(serviceName, l)));
  if (target.protocol === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
    try {
      for (const m of messages) await new Promise<void>((resolve, reject) => socket.send(m, target.port, target.host, (e) => (e ? reject(e) : resolve())));
    } finally {
      socket.close();
    }
    return;
  }
  // TCP with octet counting (RFC 6587 §3.4.1): "<length> <message>".
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, timeout: TIMEOUT_MS });
    socket.once('timeout', () => socket.destroy(new Error(`syslog ${target.host}:${target.port} did not answer within ${TIMEOUT_MS / 1000} s`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.end(Buffer.concat(messages.flatMap((m) => [Buffer.from(`${m.length} `), m])), () => resolve()));
  });
}

/** Loki's push API: one stream per instance and output, nanosecond timestamps as strings. */
async function pushToLoki(url: string, serviceId: string, serviceName: string, lines: TLiveLogLine[]): Promise<void> {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const l of lines) {
    const key = `${l.instanceId}\0${l.stream}`;
    if (!streams.has(key)) streams.set(key, { stream: { service_id: serviceId, service_name: serviceName, instance_id: l.instanceId, stream: l.stream }, values: [] });
    streams.get(key)!.values.push([`${BigInt(l.ts) * 1_000_000n}`, l.line]);
  }
  const res = await fetch(url, {
    method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams: [...streams.values()] }),
  });
  // The answer's body is not read: a receiver must not be able to fill Anvil's memory.
      await res.body?.cancel().catch(() => undefined);
  if (!res.ok) throw new Error(`Loki answered HTTP ${res.status}`);
}
