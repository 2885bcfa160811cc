/** Personalized configuration rules of a service (guide §3.1.2, tables 3-6..3-8). */
import { z } from 'zod';

/** Guide §3.1.2: at most 10 rules ("conditions"), first match wins. */
export const MAX_RULES = 10;

/** Headers a rule may not set: they belong to HTTP or carry credentials. */
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive', 'te', 'trailer',
  'authorization', 'x-auth-token', 'cookie', 'apikey', 'x-apig-appcode', 'x-api-appcode', 'x-request-id', 'x-forwarded-for',
]);

export const ZServiceRuleSchema = z.object({
  /** A SpEL condition, e.g. `#HEADER_uid.hashCode() % 100 < 10`; checked on save, with the position of an error. */
  condition: z.string().trim().min(1, 'Enter a condition.').max(1024, 'At most 1024 characters.'),
  /** The version the matching requests go to. */
  versionId: z.string().min(1, 'Choose the version these requests go to.'),
  /** Guide table 3-6 "配置项名称": a header added to the forwarded request (≤ 128). */
  headerName: z
    .string()
    .trim()
    .max(128, 'At most 128 characters.')
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/, 'A header name: letters, digits and !#$%&\'*+.^_`|~- only.')
    .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), 'This header is set by HTTP or carries credentials; choose another name.')
    .default(''),
  /** Guide table 3-6 "配置项值" (≤ 256). */
  headerValue: z
    .string()
    .max(256, 'At most 256 characters.')
    .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'No control characters.')
    .default(''),
}).refine((r) => r.headerName !== '' || r.headerValue === '', { path: ['headerName'], message: 'Name the header that carries this value.' });
export type TServiceRule = z.infer<typeof ZServiceRuleSchema>;

export const ZSetServiceRulesSchema = z.object({
  serviceId: z.string().min(1),
  rules: z.array(ZServiceRuleSchema).max(MAX_RULES, `At most ${MAX_RULES} rules (guide §3.1.2).`),
});
export type TSetServiceRules = z.input<typeof ZSetServiceRulesSchema>;
