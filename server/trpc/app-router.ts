import { accessRouter } from './access-router';
import { alarmsRouter } from './alarms-router';
import { trainingRouter } from './training-router';
import { monitoringRouter } from './monitoring-router';
import { adminRouter } from './admin-router';
import { appsRouter } from './apps-router';
import { authRouter } from './auth-router';
import { imagesRouter } from './images-router';
import { router } from './init';
import { obsRouter } from './obs-router';
import { poolsRouter } from './pools-router';
import { servicesRouter } from './services-router';

export const appRouter = router({ auth: authRouter, admin: adminRouter, obs: obsRouter, apps: appsRouter, services: servicesRouter, images: imagesRouter, pools: poolsRouter, access: accessRouter, alarms: alarmsRouter, monitoring: monitoringRouter, training: trainingRouter });
export type AppRouter = typeof appRouter;
