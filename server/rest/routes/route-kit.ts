/**
 * What every management route file shares: the Hono environment (core, caller, public URL), the
 * error responses declared in the OpenAPI document, and the translation of core error fields into
 * the names of the REST body.
 */
import type { HttpBindings } from '@hono/node-server';
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ZRestErrorSchema } from '../../contracts/rest-errors';
import type { TAnvilCore } from '../../core/anvil-core';
import { CoreError } from '../../core/errors';
import type { TIdentity } from '../../core/iam/identity';
import { STATUS } from '../http-io';

export type TManagementEnv = {
  Bindings: HttpBindings;
  Variables: { core: TAnvilCore; identity: TIdentity; publicUrl: string };
};
export type TManagementApp = OpenAPIHono<TManagementEnv>;

/** A route file adds its routes to the app; management-router.ts lists the route files. */
export type TRouteFile = (app: TManagementApp) => void;

export const ZProjectParamsSchema = z.object({
  project_id: z.string().meta({ description: 'The project of the token (403 for another one).' }),
});
export const ZResourceParamsSchema = ZProjectParamsSchema.extend({ id: z.string().min(1) });

/** A JSON response of the OpenAPI document. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR_DESCRIPTIONS = {
  400: 'Invalid request: `field` names the request field at fault, with the console form\'s message.',
  401: 'No token, or the token is not valid or expired.',
  403: 'The token belongs to another project, or a quota is reached.',
  404: 'No such resource in the project.',
  409: 'The resource is in a state that does not allow the operation.',
  413: 'The request body is larger than 1 MB.',
  415: 'The body is not application/json.',
} as const;

/** The error answers a route can give, all in the `{error_code, error_msg, field?}` shape. */
export function errorResponses<S extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, jsonResponse(ZRestErrorSchema, ERROR_DESCRIPTIONS[s])])) as Record<
    S,
    ReturnType<typeof jsonResponse<typeof ZRestErrorSchema>>
  >;
}

/** Maps a form field (`flavor`, `envs.0.key`) to its REST path (`config.0.specification`) by its first segment. */
export const restFieldOf = (fields: Record<string, string>) => (field: string) => {
  const [head, ...rest] = field.split('.');
  return fields[head] ? [fields[head], ...rest].join('.') : field;
};

/** Runs a core call; a core error that names a form field names the REST field instead. */
export async function inRestTerms<T>(fieldOf: (field: string) => string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CoreError && e.field) throw new CoreError(e.code, e.message, fieldOf(e.field));
    throw e;
  }
}

/**
 * Caps a request body at `maxSize` bytes (413), counted while it streams when no Content-Length
 * says it up front. Hono's own bodyLimit rebuilds the request with `new Request(raw)`, which throws
 * on @hono/node-server's request object while Anvil keeps Node's global Request.
 */
export const limitBody =
  (maxSize: number): MiddlewareHandler<TManagementEnv> =>
  async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const tooLarge = () => c.json({ error_code: STATUS.PAYLOAD_TOO_LARGE[1], error_msg: `The request body is larger than ${maxSize} bytes.` }, 413);
    const length = raw.headers.get('content-length');
    if (length !== null && !raw.headers.has('transfer-encoding')) return Number(length) > maxSize ? tooLarge() : next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxSize) return tooLarge();
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.url, { method: raw.method, headers: new Headers([...raw.headers]), body: Buffer.concat(chunks) });
    return next();
  };
