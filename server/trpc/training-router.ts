import { z } from 'zod';
import type { TTrainingJobInput } from '../contracts/training';
import { authedProcedure, router } from './init';

const ZId = z.object({ id: z.string().min(1) });

/** Training jobs for the console; the core validates with ZTrainingJobSchema and names the field at fault. */
export const trainingRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.core.training.list(ctx.identity.projectId)),
  get: authedProcedure.input(ZId).query(({ ctx, input }) => ctx.core.training.get(ctx.identity.projectId, input.id)),
  create: authedProcedure.input(z.record(z.string(), z.unknown())).mutation(({ ctx, input }) => ctx.core.training.create(ctx.identity.projectId, input as TTrainingJobInput)),
  stop: authedProcedure.input(ZId).mutation(({ ctx, input }) => ctx.core.training.stop(ctx.identity.projectId, input.id)),
  rerun: authedProcedure.input(ZId).mutation(({ ctx, input }) => ctx.core.training.rerun(ctx.identity.projectId, input.id)),
  remove: authedProcedure.input(ZId).mutation(({ ctx, input }) => {
    ctx.core.training.remove(ctx.identity.projectId, input.id);
    return { ok: true };
  }),
  logs: authedProcedure
    .input(z.object({ id: z.string().min(1), runId: z.string().optional(), afterId: z.number().int().nonnegative().optional() }))
    .query(({ ctx, input }) => ctx.core.training.logLines(ctx.identity.projectId, input.id, { runId: input.runId, afterId: input.afterId, limit: 5000 })),
});
