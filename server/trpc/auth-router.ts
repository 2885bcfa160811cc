import { z } from 'zod';
import { ZSwitchProjectSchema } from '../contracts/admin';
import { DEFAULT_DOMAIN } from '../core/iam/iam';
import { SESSION_COOKIE } from '../rest/http-io';
import { authedProcedure, publicProcedure, router } from './init';

const cookie = (value: string, maxAgeS: number) => `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}`;

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ userName: z.string().trim().min(1, 'Enter your user name.'), password: z.string().min(1, 'Enter your password.'), domainName: z.string().trim().default(DEFAULT_DOMAIN) }))
    .mutation(async ({ ctx, input }) => {
      const identity = await ctx.core.iam.authenticate({ ...input, domainName: input.domainName || DEFAULT_DOMAIN, clientAddress: ctx.clientAddress ?? 'in-process' });
      const { token, expiresAt } = ctx.core.iam.issueToken(identity, 'session');
      ctx.setCookie?.(cookie(token, Math.floor((expiresAt - Date.now()) / 1000)));
      return { userName: identity.userName, projectName: identity.projectName };
    }),
  logout: publicProcedure.mutation(({ ctx }) => {
    if (ctx.sessionToken) {
      ctx.core.iam.revokeToken(ctx.sessionToken);
      ctx.core.credentials.forget(ctx.sessionToken, 'session');
    }
    ctx.setCookie?.(cookie('', 0));
    return { ok: true };
  }),
  me: authedProcedure.query(({ ctx }) => ({
    userName: ctx.identity.userName,
    domainName: ctx.identity.domainName,
    projectId: ctx.identity.projectId,
    projectName: ctx.identity.projectName,
    isAdmin: ctx.core.directory.isAdmin(ctx.identity.userId),
  })),
  /** The projects the user can switch to. */
  projects: authedProcedure.query(({ ctx }) => ctx.core.directory.projectsOf(ctx.identity.userId)),
  /** A new session scoped to another project the user is a member of; the old session ends. */
  switchProject: authedProcedure.input(ZSwitchProjectSchema).mutation(({ ctx, input }) => {
    const project = ctx.core.iam.memberProject(ctx.identity.userId, { id: input.projectId });
    const { token, expiresAt } = ctx.core.iam.issueToken({ ...ctx.identity, projectId: project.id, projectName: project.name }, 'session');
    if (ctx.sessionToken) ctx.core.iam.revokeToken(ctx.sessionToken);
    ctx.setCookie?.(cookie(token, Math.floor((expiresAt - Date.now()) / 1000)));
    return { projectName: project.name };
  }),
});
