import { projectOverview } from '../core/monitoring/overview';
import { authedProcedure, router } from './init';

export const monitoringRouter = router({
  /** The console's home page. */
  overview: authedProcedure.query(({ ctx }) =>
    projectOverview(ctx.core.monitoring.store, ctx.core.services.list(ctx.identity.projectId), ctx.core.pools.pools()),
  ),
});
