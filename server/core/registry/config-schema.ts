/** config.json of a model package: guide §4.1.2 tables 4-1 … 4-8, strict (GUIDE-INDEX §A decision 10). */
import { z } from 'zod';
import type { TMetrics } from '../../contracts/apps';
import { ENGINES, findEngine, MACHINE_LEARNING_ENGINES } from './engines';
import { metricSourceTexts, truncateDecimal } from './metric-text';

const FORBIDDEN = /[&!"'<>=]/;
const CHINESE = /[\u3400-\u9fff\uf900-\ufaff]/;
const cleanText = () => z.string().refine((s) => !FORBIDDEN.test(s) && !CHINESE.test(s), `must not contain Chinese characters or any of & ! " ' < > =`);

const CONTENT_TYPES = ['application/json', 'multipart/form-data'];
const INT_MAX = 2147483647;
/** Numeric health fields are typed String in table 4-8; accept numbers and numeric strings. */
const intField = (min: number) =>
  z.union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')]).transform(Number).pipe(z.number().int().min(min).max(INT_MAX));

const ZContentTypeSchema = z.string().superRefine((v, ctx) => {
  if (CONTENT_TYPES.includes(v.split(';')[0].trim().toLowerCase())) return;
  const typo = /^applicat?i?on\/jso?n?$/i.test(v.trim());
  ctx.addIssue({ code: 'custom', message: typo ? `"${v}" is not a content type; did you mean "application/json"?` : `must be one of ${CONTENT_TYPES.join(', ')}` });
});

/** JSON Schema of a body: checked for the keywords Anvil reads; `item` is caught as a likely typo of `items`. */
const ZBodySchema: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      type: z.string().optional(),
      properties: z.record(z.string(), ZBodySchema).optional(),
      items: z.union([ZBodySchema, z.array(ZBodySchema)]).optional(),
      required: z.array(z.string()).optional(),
    })
    .passthrough()
    .refine((s) => !('item' in s), { message: 'unknown keyword "item"; did you mean "items"?' }),
);

const ZIoSchema = z.object({ 'Content-type': ZContentTypeSchema.default('application/json'), data: ZBodySchema.optional() }).passthrough();

const ZApiSchema = z.object({
  url: z.string().startsWith('/', 'must start with "/"').default('/'),
  method: z
    .string()
    .default('POST')
    .refine((m) => ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'].includes(m.toUpperCase()), 'must be an HTTP method such as POST'),
  request: ZIoSchema.optional(),
  response: ZIoSchema.optional(),
});

const ZPackageSchema = z
  .object({
    package_name: cleanText().pipe(z.string().min(1, 'is required')),
    package_version: cleanText().optional(),
    restraint: z.string().optional(),
  })
  .transform((p) => ({
    package_name: p.package_name,
    // Guide samples contain "" for absent values; treat empty strings as absent.
    package_version: p.package_version || undefined,
    restraint: p.restraint || undefined,
  }))
  .superRefine((p, ctx) => {
    if (p.package_version && !p.restraint) ctx.addIssue({ code: 'custom', path: ['restraint'], message: 'is required when package_version is set' });
    if (!p.package_version && p.restraint) ctx.addIssue({ code: 'custom', path: ['restraint'], message: 'is allowed only with package_version' });
    if (p.restraint && !['EXACT', 'ATLEAST', 'ATMOST'].includes(p.restraint)) {
      ctx.addIssue({ code: 'custom', path: ['restraint'], message: 'must be EXACT, ATLEAST or ATMOST' });
    }
  });

const ZHealthSchema = z
  .object({
    check_method: z.enum(['HTTP', 'EXEC'], 'must be HTTP or EXEC'),
    command: z.string().optional(),
    url: z.string().optional(),
    protocol: z.string().default('http'),
    initial_delay_seconds: intField(0).optional(),
    timeout_seconds: intField(0).optional(),
    period_seconds: intField(1),
    failure_threshold: intField(1),
  })
  .superRefine((h, ctx) => {
    if (h.check_method === 'HTTP' && !h.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for HTTP checks' });
    if (h.check_method === 'EXEC' && !h.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'is required for EXEC checks' });
  });

/** Table 4-2: a Number. Its text is kept and truncated by `validateModelConfig` (see metric-text.ts). */
const METRIC = z.number();

export const ZModelConfigSchema = z
  .object({
    model_algorithm: z
      .string('is required')
      .min(1, 'is required')
      .max(36, 'must be at most 36 characters')
      .regex(/^[A-Za-z]/, 'must start with an English letter')
      .pipe(cleanText()),
    model_type: z.string('is required').refine((t) => t === 'Image' || !!findEngine(t), {
      message: `must be one of ${[...ENGINES.map((e) => e.modelType), 'Image'].join(', ')}`,
    }),
    swr_location: z.string().optional(),
    runtime: z.string().optional(),
    metrics: z.object({ f1: METRIC, recall: METRIC, precision: METRIC, accuracy: METRIC }).partial().optional(),
    apis: z.array(ZApiSchema).optional(),
    dependencies: z
      .array(z.object({ installer: z.literal('pip', 'must be pip'), packages: z.array(ZPackageSchema) }))
      .optional(),
    health: ZHealthSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const isImage = c.model_type === 'Image';
    const engine = findEngine(c.model_type);
    if (isImage && !c.swr_location) ctx.addIssue({ code: 'custom', path: ['swr_location'], message: 'is required when model_type is Image' });
    if (engine && c.runtime && !engine.runtimes.some((r) => r.name === c.runtime)) {
      ctx.addIssue({ code: 'custom', path: ['runtime'], message: `is not a runtime of ${c.model_type}: ${engine.runtimes.map((r) => r.name).join(', ')}` });
    }
    if (!isImage && c.apis) {
      if (c.apis.length > 1) ctx.addIssue({ code: 'custom', path: ['apis'], message: 'may declare only one API for this model_type' });
      c.apis.forEach((api, i) => {
        if (api.url !== '/') ctx.addIssue({ code: 'custom', path: ['apis', i, 'url'], message: 'must be "/" for this model_type' });
        if (MACHINE_LEARNING_ENGINES.has(c.model_type) && api.request && !api.request['Content-type'].startsWith('application/json')) {
          ctx.addIssue({ code: 'custom', path: ['apis', i, 'request', 'Content-type'], message: 'must be application/json for machine-learning engines' });
        }
      });
    }
    if (!isImage && c.health) ctx.addIssue({ code: 'custom', path: ['health'], message: 'is allowed only when model_type is Image' });
    if (isImage && c.dependencies?.length) ctx.addIssue({ code: 'custom', path: ['dependencies'], message: 'are not supported for custom images' });
  });

/** A valid config.json; `metrics` hold the values' text, truncated to 17 decimal places. */
export type TModelConfig = Omit<z.output<typeof ZModelConfigSchema>, 'metrics'> & { metrics?: TMetrics };

/** A problem in config.json and the event that reports it: the guide's A3/A4/A8. */
export type TConfigIssue = { field: string; message: string; event: 'A3' | 'A4' | 'A8' };

/** Formats a zod path as a config.json field: apis[0].request.Content-type. */
const fieldName = (path: PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/**
 * Validates parsed config.json; every issue names the field and the guide event it maps to.
 * `sourceText` (the file as read) keeps the metrics' digits that JSON.parse would round.
 */
export function validateModelConfig(raw: unknown, sourceText?: string): { config?: TModelConfig; issues: TConfigIssue[] } {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    // Guide §2.6 A4: a non-Image model must not name an image.
    if ('swr_location' in obj && obj.model_type !== 'Image') {
      return { issues: [{ field: 'swr_location', message: 'is allowed only when model_type is Image', event: 'A4' }] };
    }
    if (obj.model_type === 'Image' && Array.isArray(obj.dependencies) && obj.dependencies.length > 0) {
      return { issues: [{ field: 'dependencies', message: 'are not supported for custom images', event: 'A3' }] };
    }
  }
  const parsed = ZModelConfigSchema.safeParse(raw);
  if (parsed.success) return { config: { ...parsed.data, metrics: metricTexts(parsed.data.metrics, sourceText) }, issues: [] };
  return {
    issues: parsed.error.issues.map((i) => ({ field: fieldName(i.path) || 'config.json', message: i.message, event: 'A8' as const })),
  };
}

function metricTexts(metrics: Partial<Record<keyof TMetrics, number>> | undefined, sourceText?: string): TMetrics | undefined {
  if (!metrics) return undefined;
  const texts = sourceText ? metricSourceTexts(sourceText) : {};
  return Object.fromEntries(Object.entries(metrics).map(([key, n]) => [key, truncateDecimal(texts[key] ?? String(n))]));
}

