/**
 * Resource pools: the list for every logged-in user (the pools page, the deploy wizard), and the
 * administrators' changes to pools and nodes.
 */
import { z } from 'zod';
import { ZCreatePoolSchema } from '../contracts/pools';
import { authedProcedure, router } from './init';

/** The same check as admin-router's: read from the database on every call. */
const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  ctx.core.directory.requireAdmin(ctx.identity.userId);
  return next();
});

const ZPoolId = z.object({ poolId: z.string().min(1) });
const ZNodeId = z.object({ nodeId: z.string().min(1) });
// Only the shape is checked here; the core validates the values (ZAddNodeSchema, endpoint, TLS) and
// names the field by its whole path (`tls.ca`, `allocatable.cpus`), where a zod input would report
// only the first segment (`tls`), too vague for the form.
const ZAllocatableShape = z.object({ cpus: z.number(), memoryGiB: z.number() });
const ZAddNodeInput = z.object({
  poolId: z.string(),
  name: z.string(),
  endpoint: z.string(),
  tls: z.object({ ca: z.string(), cert: z.string(), key: z.string() }).partial().optional(),
  allocatable: ZAllocatableShape.optional(),
});

export const poolsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.core.pools.pools()),
  createPool: adminProcedure.input(ZCreatePoolSchema).mutation(({ ctx, input }) => ctx.core.pools.createPool(input)),
  deletePool: adminProcedure.input(ZPoolId).mutation(({ ctx, input }) => {
    ctx.core.pools.deletePool(input.poolId);
    return { ok: true };
  }),
  addNode: adminProcedure.input(ZAddNodeInput).mutation(({ ctx, input }) => ctx.core.pools.addNode(input)),
  removeNode: adminProcedure.input(ZNodeId).mutation(async ({ ctx, input }) => {
    await ctx.core.pools.removeNode(input.nodeId);
    return { ok: true };
  }),
  /** `allocatable: null` hands out the engine's cores and memory again. */
  setAllocatable: adminProcedure
    .input(ZNodeId.extend({ allocatable: ZAllocatableShape.nullable() }))
    .mutation(({ ctx, input }) => ctx.core.pools.setAllocatable(input.nodeId, input.allocatable)),
  refresh: adminProcedure.mutation(async ({ ctx }) => {
    await ctx.core.pools.refreshAll();
    return ctx.core.pools.pools();
  }),
});
