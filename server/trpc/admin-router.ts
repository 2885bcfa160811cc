/** Users and projects for administrators (the console's "Users and projects" page). */
import { ZCreateProjectSchema, ZCreateUserSchema, ZMembershipSchema, ZResetPasswordSchema, ZUserIdSchema } from '../contracts/admin';
import { authedProcedure, router } from './init';

/** Checked on every call against the database, so taking the right away takes effect at once. */
const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  ctx.core.directory.requireAdmin(ctx.identity.userId);
  return next();
});

export const adminRouter = router({
  projects: adminProcedure.query(({ ctx }) => ctx.core.directory.listProjects()),
  createProject: adminProcedure.input(ZCreateProjectSchema).mutation(({ ctx, input }) => ctx.core.directory.createProject(input)),
  users: adminProcedure.query(({ ctx }) => ctx.core.directory.listUsers()),
  createUser: adminProcedure.input(ZCreateUserSchema).mutation(({ ctx, input }) => ctx.core.directory.createUser(input)),
  addMember: adminProcedure.input(ZMembershipSchema).mutation(({ ctx, input }) => ctx.core.directory.addMember(input)),
  removeMember: adminProcedure.input(ZMembershipSchema).mutation(({ ctx, input }) => ctx.core.directory.removeMember(input)),
  resetPassword: adminProcedure.input(ZResetPasswordSchema).mutation(async ({ ctx, input }) => {
    await ctx.core.directory.resetPassword(input);
    return { ok: true };
  }),
  deleteUser: adminProcedure.input(ZUserIdSchema).mutation(({ ctx, input }) => {
    ctx.core.directory.deleteUser(ctx.identity.userId, input.userId);
    return { ok: true };
  }),
});
