import { adminRouter } from './admin-router';
import { appsRouter } from './apps-router';
import { authRouter } from './auth-router';
import { router } from './init';
import { obsRouter } from './obs-router';
import { servicesRouter } from './services-router';

export const appRouter = router({ auth: authRouter, admin: adminRouter, obs: obsRouter, apps: appsRouter, services: servicesRouter });
export type AppRouter = typeof appRouter;
