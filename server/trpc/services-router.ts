import { z } from 'zod';
import { ZAutoStopSchema, ZCreateServiceSchema, ZLogQuerySchema, ZSetServiceVersionsSchema } from '../contracts/services';
import type { TMetricQueryInput } from '../contracts/monitoring';
import { traceDetail } from '../core/monitoring/trace-detail';
import { authedProcedure, router } from './init';

const ZId = z.object({ id: z.string().min(1) });

export const servicesRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.core.services.list(ctx.identity.projectId)),
  get: authedProcedure.input(ZId).query(({ ctx, input }) => ctx.core.services.get(ctx.identity.projectId, input.id)),
  /** The catalog against a pool (default: the default pool); `{ poolId }` is optional so older callers keep working. */
  flavors: authedProcedure
    .input(z.object({ poolId: z.string().min(1).max(32).optional() }).optional())
    .query(({ ctx, input }) => ctx.core.services.flavors(input?.poolId)),
  create: authedProcedure
    .input(ZCreateServiceSchema)
    .mutation(({ ctx, input }) => ctx.core.services.create(ctx.identity.projectId, input, ctx.identity.userId)),
  start: authedProcedure.input(ZId).mutation(({ ctx, input }) => ctx.core.services.start(ctx.identity.projectId, input.id)),
  stop: authedProcedure.input(ZId).mutation(({ ctx, input }) => ctx.core.services.stop(ctx.identity.projectId, input.id)),
  restart: authedProcedure.input(ZId).mutation(({ ctx, input }) => ctx.core.services.restart(ctx.identity.projectId, input.id)),
  setAutoStop: authedProcedure
    .input(z.object({ id: z.string().min(1), autoStop: ZAutoStopSchema }))
    .mutation(({ ctx, input }) => ctx.core.services.setAutoStop(ctx.identity.projectId, input.id, input.autoStop)),
  updateDescription: authedProcedure
    .input(z.object({ id: z.string().min(1), description: z.string() }))
    .mutation(({ ctx, input }) => ctx.core.services.updateDescription(ctx.identity.projectId, input.id, input.description)),
  /** Gray release: the whole list of versions with their weights (guide table 3-2). */
  setVersions: authedProcedure.input(ZSetServiceVersionsSchema).mutation(({ ctx, input }) => ctx.core.services.setVersions(ctx.identity.projectId, input)),
  delete: authedProcedure.input(ZId).mutation(async ({ ctx, input }) => {
    await ctx.core.services.delete(ctx.identity.projectId, input.id);
    return { ok: true };
  }),
  events: authedProcedure.input(ZId).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.id);
    return ctx.core.events.list('service', input.id);
  }),
  logs: authedProcedure.input(ZLogQuerySchema).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.serviceId);
    return ctx.core.logs.query(input);
  }),
  /** The logs tab's download: the matching lines of the range as text, oldest first (at most 2000, the query's cap). */
  logsText: authedProcedure.input(ZLogQuerySchema).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.serviceId);
    const { lines, truncated } = ctx.core.logs.query({ ...input, limit: 2000 });
    const text = lines.map((l) => `${new Date(l.ts).toISOString()} ${l.instanceId} ${l.stream} ${l.line}`).join('\n');
    return { text: lines.length > 0 ? `${text}\n` : '', lines: lines.length, truncated };
  }),
  /** Where the service's logs are also sent, and how delivery goes. */
  logExport: authedProcedure.input(ZId).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.id);
    return ctx.core.logExport.get(input.id);
  }),
  setLogExport: authedProcedure.input(z.object({ id: z.string().min(1), target: z.record(z.string(), z.unknown()) })).mutation(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.id);
    return ctx.core.logExport.set(ctx.identity.projectId, input.id, input.target);
  }),
  /** Request traces: the newest first (no bodies). */
  traces: authedProcedure.input(ZId).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.id);
    return { traces: ctx.core.traces.list(input.id), settings: ctx.core.traces.settings(input.id) };
  }),
  /** One trace with the instance's log lines of the same seconds and the service's events around it. */
  trace: authedProcedure.input(z.object({ serviceId: z.string().min(1), requestId: z.string().min(1) })).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.serviceId);
    return traceDetail(ctx.core, input.serviceId, input.requestId);
  }),
  setTraceSettings: authedProcedure.input(z.object({ id: z.string().min(1), settings: z.record(z.string(), z.unknown()) })).mutation(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.id);
    return ctx.core.traces.setSettings(input.id, input.settings);
  }),
  /** Monitoring charts (guide §5): the core validates the query and names the field at fault. */
  metrics: authedProcedure.input(z.object({ serviceId: z.string().min(1) }).passthrough()).query(({ ctx, input }) => {
    ctx.core.services.summary(ctx.identity.projectId, input.serviceId);
    return ctx.core.monitoring.query(input as TMetricQueryInput);
  }),
});
