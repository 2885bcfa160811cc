/**
 * tRPC setup: context (core + caller), an error formatter that flattens zod errors and carries the
 * field of core errors, one middleware that maps CoreError codes to tRPC codes, and base procedures.
 */
import type http from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError, type TCoreErrorCode } from '../core/errors';
import type { TIdentity } from '../core/iam/identity';
import { requestIdOf, sessionToken } from '../rest/http-io';

export type TContext = {
  core: TAnvilCore;
  identity: TIdentity | undefined;
  sessionToken: string | undefined;
  /** Set-Cookie for login/logout; absent in tests without a response. */
  setCookie?: (cookie: string) => void;
  /** The request's TCP peer, for the login rate limit; absent without a request. */
  clientAddress?: string;
  /** The id that ties a 500 answer to its log line; absent without a request. */
  requestId?: () => string;
};

/** Testable without a request. */
export function createContextInner(core: TAnvilCore, sessionToken?: string, setCookie?: TContext['setCookie']): TContext {
  const check = sessionToken ? core.credentials.check(sessionToken, 'session') : undefined;
  return { core, sessionToken, identity: check && 'identity' in check ? check.identity : undefined, setCookie };
}

export function createContext(core: TAnvilCore, req: http.IncomingMessage, res: http.ServerResponse): TContext {
  const append = (cookie: string) => {
    const prev = res.getHeader('set-cookie');
    res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cookie]);
  };
  return { ...createContextInner(core, sessionToken(req), append), clientAddress: req.socket.remoteAddress ?? '', requestId: () => requestIdOf(req) };
}

const TRPC_CODE: Record<TCoreErrorCode, TRPCError['code']> = {
  INVALID_ARGUMENT: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FAILED_PRECONDITION: 'PRECONDITION_FAILED',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  QUOTA_EXCEEDED: 'FORBIDDEN',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const t = initTRPC.context<TContext>().create({
  // The formatter below never sends a stack; without this tRPC formats one (source-mapped) for every error answer.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const zodIssue = cause instanceof ZodError ? cause.issues[0] : undefined;
    // The whole path (`probes.liveness.periodSeconds`), like core errors; forms that show one error per top-level field split it.
    const field = cause instanceof CoreError ? cause.field : zodIssue ? zodIssue.path.map(String).join('.') : undefined;
    const requestId = error.code === 'INTERNAL_SERVER_ERROR' ? ctx?.requestId?.() : undefined;
    const message = zodIssue ? zodIssue.message : error.code === 'INTERNAL_SERVER_ERROR' ? `Internal error; see the Anvil server log for request ${requestId}.` : shape.message;
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, field, ...(requestId ? { request_id: requestId } : {}) } };
  },
});

const mapCoreErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof CoreError) throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    if (result.error.code === 'INTERNAL_SERVER_ERROR') console.error(`[anvil] request ${ctx.requestId?.()} (tRPC) failed:`, result.error);
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapCoreErrors);
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.identity) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in to continue.' });
  return next({ ctx: { ...ctx, identity: ctx.identity } });
});
