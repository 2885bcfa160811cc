import { z } from 'zod';
import { ZBucketNameSchema, ZFolderNameSchema, ZPrefixSchema } from '../contracts/obs';
import { authedProcedure, router } from './init';

export const obsRouter = router({
  buckets: authedProcedure.query(({ ctx }) => ctx.core.store.listBuckets()),
  createBucket: authedProcedure.input(z.object({ name: ZBucketNameSchema })).mutation(({ ctx, input }) => {
    ctx.core.store.createBucket(input.name);
    return { name: input.name };
  }),
  list: authedProcedure
    .input(z.object({ bucket: z.string(), prefix: ZPrefixSchema }))
    .query(({ ctx, input }) => ctx.core.store.list(input.bucket, input.prefix)),
  createFolder: authedProcedure
    .input(z.object({ bucket: z.string(), prefix: ZPrefixSchema, name: ZFolderNameSchema }))
    .mutation(({ ctx, input }) => {
      const key = `${input.prefix}${input.name}/`;
      ctx.core.store.createFolder(input.bucket, key);
      return { key };
    }),
  delete: authedProcedure.input(z.object({ bucket: z.string(), key: z.string() })).mutation(({ ctx, input }) => {
    ctx.core.store.delete(input.bucket, input.key);
    return { ok: true };
  }),
});
