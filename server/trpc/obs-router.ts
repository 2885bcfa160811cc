import { z } from 'zod';
import { ZBucketNameSchema, ZFolderNameSchema, ZPrefixSchema } from '../contracts/obs';
import { authedProcedure, router, type TContext } from './init';
import type { TIdentity } from '../core/iam/identity';

/** Every call sees only the buckets of the session's project. */
const storeOf = (ctx: TContext & { identity: TIdentity }) => ctx.core.buckets.forProject(ctx.identity.projectId);

export const obsRouter = router({
  buckets: authedProcedure.query(({ ctx }) => storeOf(ctx).listBuckets()),
  createBucket: authedProcedure.input(z.object({ name: ZBucketNameSchema })).mutation(({ ctx, input }) => {
    storeOf(ctx).createBucket(input.name);
    return { name: input.name };
  }),
  list: authedProcedure
    .input(z.object({ bucket: z.string(), prefix: ZPrefixSchema }))
    .query(({ ctx, input }) => storeOf(ctx).list(input.bucket, input.prefix)),
  createFolder: authedProcedure
    .input(z.object({ bucket: z.string(), prefix: ZPrefixSchema, name: ZFolderNameSchema }))
    .mutation(({ ctx, input }) => {
      const key = `${input.prefix}${input.name}/`;
      storeOf(ctx).createFolder(input.bucket, key);
      return { key };
    }),
  delete: authedProcedure.input(z.object({ bucket: z.string(), key: z.string() })).mutation(({ ctx, input }) => {
    storeOf(ctx).delete(input.bucket, input.key);
    return { ok: true };
  }),
});
