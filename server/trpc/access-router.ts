/** Gateway credentials for the console: my access keys, the project's APP-authentication apps, and a service's access settings. */
import { z } from 'zod';
import { ZAccessKeyStatusSchema, ZCreateAccessKeySchema, ZCreateAuthAppSchema, ZUpdateServiceAccessSchema } from '../contracts/access';
import { ZSetServiceRulesSchema } from '../contracts/service-rules';
import { authedProcedure, router } from './init';

const ZApp = z.object({ appId: z.string().min(1) });
const ZAppService = ZApp.extend({ serviceId: z.string().min(1) });

export const accessRouter = router({
  accessKeys: router({
    list: authedProcedure.query(({ ctx }) => ctx.core.accessKeys.list(ctx.identity.userId)),
    create: authedProcedure
      .input(ZCreateAccessKeySchema)
      .mutation(({ ctx, input }) => ctx.core.accessKeys.create({ id: ctx.identity.userId, name: ctx.identity.userName }, input.description)),
    setStatus: authedProcedure
      .input(z.object({ accessKey: z.string().min(1), status: ZAccessKeyStatusSchema }))
      .mutation(({ ctx, input }) => ctx.core.accessKeys.setStatus(ctx.identity.userId, input.accessKey, input.status)),
    delete: authedProcedure.input(z.object({ accessKey: z.string().min(1) })).mutation(({ ctx, input }) => {
      ctx.core.accessKeys.remove(ctx.identity.userId, input.accessKey);
      return { ok: true };
    }),
  }),
  apps: router({
    list: authedProcedure.query(({ ctx }) => ctx.core.authApps.list(ctx.identity.projectId)),
    create: authedProcedure.input(ZCreateAuthAppSchema).mutation(({ ctx, input }) => ctx.core.authApps.create(ctx.identity.projectId, input)),
    resetSecret: authedProcedure.input(ZApp).mutation(({ ctx, input }) => ctx.core.authApps.resetSecret(ctx.identity.projectId, input.appId)),
    delete: authedProcedure.input(ZApp).mutation(({ ctx, input }) => {
      ctx.core.authApps.remove(ctx.identity.projectId, input.appId);
      return { ok: true };
    }),
    addCode: authedProcedure.input(ZApp).mutation(({ ctx, input }) => ctx.core.authApps.addCode(ctx.identity.projectId, input.appId)),
    deleteCode: authedProcedure
      .input(ZApp.extend({ codeId: z.string().min(1) }))
      .mutation(({ ctx, input }) => ctx.core.authApps.removeCode(ctx.identity.projectId, input.appId, input.codeId)),
    bind: authedProcedure.input(ZAppService).mutation(({ ctx, input }) => ctx.core.authApps.bind(ctx.identity.projectId, input.appId, input.serviceId)),
    unbind: authedProcedure.input(ZAppService).mutation(({ ctx, input }) => ctx.core.authApps.unbind(ctx.identity.projectId, input.appId, input.serviceId)),
  }),
  service: router({
    get: authedProcedure
      .input(z.object({ serviceId: z.string().min(1) }))
      .query(({ ctx, input }) => ctx.core.serviceAccess.get(ctx.identity.projectId, input.serviceId)),
    update: authedProcedure.input(ZUpdateServiceAccessSchema).mutation(({ ctx, input }) => ctx.core.serviceAccess.update(ctx.identity.projectId, input)),
    resetToken: authedProcedure
      .input(z.object({ serviceId: z.string().min(1) }))
      .mutation(({ ctx, input }) => ctx.core.serviceAccess.resetToken(ctx.identity.projectId, input.serviceId)),
    /** Personalized configuration rules (guide §3.1.2), in priority order. */
    rules: authedProcedure
      .input(z.object({ serviceId: z.string().min(1) }))
      .query(({ ctx, input }) => ctx.core.serviceRules.get(ctx.identity.projectId, input.serviceId)),
    setRules: authedProcedure.input(ZSetServiceRulesSchema).mutation(({ ctx, input }) => ctx.core.serviceRules.set(ctx.identity.projectId, input)),
  }),
});
