/** The tRPC router's type, the one server type the browser may import (type-only, erased at build). */
export type { AppRouter } from '../trpc/app-router';
