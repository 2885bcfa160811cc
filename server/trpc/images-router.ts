/** The image repository page: status, the project's push credential, repositories and tags, tag deletion. */
import { ZImageTagRefSchema } from '../contracts/images';
import type { TIdentity } from '../core/iam/identity';
import { authedProcedure, router } from './init';

/** Every call works on the session's project (its namespace in the registry is its name). */
const projectOf = (identity: TIdentity) => ({ id: identity.projectId, name: identity.projectName });

export const imagesRouter = router({
  status: authedProcedure.query(({ ctx }) => ctx.core.images.status()),
  credential: authedProcedure.query(({ ctx }) => ctx.core.images.credential(projectOf(ctx.identity))),
  resetCredential: authedProcedure.mutation(({ ctx }) => ctx.core.images.resetCredential(projectOf(ctx.identity))),
  repositories: authedProcedure.query(({ ctx }) => ctx.core.images.listRepositories(projectOf(ctx.identity))),
  deleteTag: authedProcedure.input(ZImageTagRefSchema).mutation(({ ctx, input }) => ctx.core.images.deleteTag(projectOf(ctx.identity), input.repository, input.tag)),
});
