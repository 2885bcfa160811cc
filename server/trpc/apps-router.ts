import { z } from 'zod';
import { ZCreateAppSchema, ZCreateImageAppSchema } from '../contracts/apps';
import { authedProcedure, router } from './init';

const ZId = z.object({ id: z.string().min(1) });

export const appsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.core.registry.list(ctx.identity.projectId)),
  get: authedProcedure.input(ZId).query(({ ctx, input }) => ctx.core.registry.get(ctx.identity.projectId, input.id)),
  engines: authedProcedure.query(({ ctx }) => ctx.core.registry.engines()),
  inspect: authedProcedure
    .input(z.object({ sourceUri: z.string().min(1) }))
    .query(({ ctx, input }) => ctx.core.registry.inspect(ctx.identity.projectId, input.sourceUri)),
  create: authedProcedure.input(ZCreateAppSchema).mutation(({ ctx, input }) => ctx.core.registry.create(ctx.identity.projectId, input)),
  /** Guide §2.2.4: an AI application from an image of the project's repository. */
  createFromImage: authedProcedure.input(ZCreateImageAppSchema).mutation(({ ctx, input }) => ctx.core.registry.createFromImage(ctx.identity.projectId, input)),
  updateDescription: authedProcedure
    .input(z.object({ id: z.string().min(1), description: z.string() }))
    .mutation(({ ctx, input }) => ctx.core.registry.updateDescription(ctx.identity.projectId, input.id, input.description)),
  /** Documentation links and model precision (guide §2.4). */
  updateDetails: authedProcedure
    .input(z.object({ id: z.string().min(1), docs: z.unknown().optional(), metrics: z.record(z.string(), z.string()).optional() }))
    .mutation(({ ctx, input }) => ctx.core.registry.updateDetails(ctx.identity.projectId, input.id, { docs: input.docs, metrics: input.metrics })),
  /** Deletes one version (the list's row action removes the latest one). */
  delete: authedProcedure.input(ZId).mutation(({ ctx, input }) => {
    ctx.core.registry.delete(ctx.identity.projectId, input.id);
    return { ok: true };
  }),
  /** Deletes every version of an application; refused while any version has a service. */
  deleteApp: authedProcedure
    .input(z.object({ name: z.string().min(1) }))
    .mutation(({ ctx, input }) => ctx.core.registry.deleteApp(ctx.identity.projectId, input.name)),
  /** Deletes several applications (the list's bulk action): all of them, or none when one has a service. */
  deleteApps: authedProcedure
    .input(z.object({ names: z.array(z.string().min(1)).max(100) }))
    .mutation(({ ctx, input }) => ctx.core.registry.deleteApps(ctx.identity.projectId, input.names)),
  events: authedProcedure.input(ZId).query(({ ctx, input }) => {
    ctx.core.registry.summary(ctx.identity.projectId, input.id);
    return ctx.core.events.list('app', input.id);
  }),
});
