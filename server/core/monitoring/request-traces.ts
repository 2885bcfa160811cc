/**
 * Request traces (PAI-EAS has them; the guide does not): per service, the last requests the gateway
 * answered — when, who (user, app or key), which version and instance, status, latency and bytes —
 * and, where the service opts in, the request and response bodies, size-capped, with credentials
 * and secret-looking headers and JSON fields redacted. Kept in memory (a ring per service); the
 * sampling rate, the ring's size and payload capture are per-service settings in the database.
 */
import { z } from 'zod';
import type { TDatabase } from '../db/database';
import { invalid } from '../errors';

export const ZTraceSettingsSchema = z.object({
  /** Share of requests traced, 0-1 (default all). */
  sampleRate: z.number().min(0, 'Between 0 and 1.').max(1, 'Between 0 and 1.').default(1),
  /** How many of the newest traces are kept. */
  capacity: z.number().int('A whole number.').min(10, 'At least 10.').max(10_000, 'At most 10000.').default(1000),
  capturePayloads: z.boolean().default(false),
  /** Per body; the rest is cut and the trace says so. */
  maxPayloadBytes: z.number().int('A whole number.').min(256, 'At least 256 bytes.').max(1024 * 1024, 'At most 1 MiB.').default(16 * 1024),
});
export type TTraceSettings = z.output<typeof ZTraceSettingsSchema>;
const DEFAULTS: TTraceSettings = ZTraceSettingsSchema.parse({});

export type TTrace = {
  requestId: string;
  serviceId: string;
  ts: number;
  method: string;
  /** The API path and query the model saw. */
  path: string;
  callerKind: string;
  caller: string;
  versionId: string;
  instanceId: string;
  status: number;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
  requestHeaders: Record<string, string>;
  contentType: string;
  requestBody?: string;
  responseBody?: string;
  /** True when a body was longer than the cap and cut. */
  isCut?: boolean;
};

/** Headers never kept: credentials, and anything whose name says it is a secret. */
const SECRET_NAME = /auth|token|secret|passw|cookie|signature|api[-_]?key|appcode|credential|x-sdk-/i;
const REDACTED = '[redacted]';

export function redactHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_NAME.test(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** A captured body as text: JSON with secret-looking fields redacted, other text as is, binary as a note. */
export function redactBody(body: Buffer, contentType: string, cap: number): { text: string; isCut: boolean } {
  const isCut = body.length > cap;
  const head = body.subarray(0, cap);
  if (/json/i.test(contentType) && !isCut) {
    try {
      return { text: JSON.stringify(JSON.parse(head.toString('utf8'), (key, value) => (key && SECRET_NAME.test(key) ? REDACTED : value)), null, 2), isCut };
    } catch {
      /* not JSON after all: shown as text */
    }
  }
  if (/^(text\/|application\/(json|x-www-form-urlencoded|xml))/i.test(contentType) || contentType === '') return { text: head.toString('utf8'), isCut };
  return { text: `(${body.length} bytes of ${contentType})`, isCut: false };
}

/** The newest `capacity` traces of a service: a fixed array written round, so recording never shifts elements. */
class TraceRing {
  private items: (TTrace | undefined)[];
  private next = 0;

  constructor(private capacity: number) {
    this.items = new Array(capacity);
  }

  push(trace: TTrace): void {
    this.items[this.next] = trace;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  newest(limit: number): TTrace[] {
    const out: TTrace[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const t = this.items[(this.next - i + this.capacity) % this.capacity];
      if (!t) break;
      out.push(t);
    }
    return out;
  }

  resize(capacity: number): void {
    const kept = this.newest(capacity).reverse();
    this.capacity = capacity;
    this.items = new Array(capacity);
    this.next = 0;
    for (const t of kept) this.push(t);
  }
}

export class RequestTraces {
  private readonly rings = new Map<string, TraceRing>();
  private readonly settingsCache = new Map<string, TTraceSettings>();

  constructor(private readonly db: TDatabase) {}

  /** The settings of a service when this request is to be traced, else null (the sampling decision). */
  sample(serviceId: string): TTraceSettings | null {
    const s = this.settings(serviceId);
    return s.sampleRate >= 1 || Math.random() < s.sampleRate ? s : null;
  }

  settings(serviceId: string): TTraceSettings {
    let s = this.settingsCache.get(serviceId);
    if (!s) {
      const row = this.db.prepare('SELECT settings FROM trace_settings WHERE service_id = ?').get(serviceId) as { settings: string } | undefined;
      s = row ? { ...DEFAULTS, ...(JSON.parse(row.settings) as Partial<TTraceSettings>) } : DEFAULTS;
      this.settingsCache.set(serviceId, s);
    }
    return s;
  }

  setSettings(serviceId: string, input: unknown): TTraceSettings {
    const parsed = ZTraceSettingsSchema.safeParse(input);
    if (!parsed.success) throw invalid(String(parsed.error.issues[0].path.join('.') || 'settings'), parsed.error.issues[0].message);
    this.db.prepare('INSERT INTO trace_settings (service_id, settings) VALUES (?, ?) ON CONFLICT (service_id) DO UPDATE SET settings = excluded.settings').run(serviceId, JSON.stringify(parsed.data));
    this.settingsCache.set(serviceId, parsed.data);
    this.rings.get(serviceId)?.resize(parsed.data.capacity);
    return parsed.data;
  }

  /** On the request path: keeps the trace as given (headers are redacted when read). */
  record(trace: TTrace): void {
    let ring = this.rings.get(trace.serviceId);
    if (!ring) this.rings.set(trace.serviceId, (ring = new TraceRing(this.settings(trace.serviceId).capacity)));
    ring.push(trace);
  }

  /** Newest first, without headers and bodies. */
  list(serviceId: string, limit = 200): Omit<TTrace, 'requestBody' | 'responseBody' | 'requestHeaders'>[] {
    return (this.rings.get(serviceId)?.newest(Math.min(limit, 1000)) ?? []).map(({ requestBody: _a, responseBody: _b, requestHeaders: _c, ...rest }) => rest);
  }

  get(serviceId: string, requestId: string): TTrace | undefined {
    const trace = this.rings.get(serviceId)?.newest(Number.MAX_SAFE_INTEGER).find((t) => t.requestId === requestId);
    return trace && { ...trace, requestHeaders: redactHeaders(trace.requestHeaders) };
  }

  forget(serviceId: string): void {
    this.rings.delete(serviceId);
    this.settingsCache.delete(serviceId);
    this.db.prepare('DELETE FROM trace_settings WHERE service_id = ?').run(serviceId);
  }
}
