/**
 * The REST spelling of online services (ModelArts-style snake_case). Fields reuse the schemas of the
 * console's deploy form (`ZCreateServiceSchema`), so both doors refuse the same values with the same
 * messages; ModelArts' shapes (`config[]`, `envs` as a map, `schedule`) are converted by the route.
 */
import { z } from 'zod';
import { MAX_SERVICE_VERSIONS, SERVICE_STATUSES, ZAutoStopSchema, ZCreateServiceSchema, ZEnvVarSchema, ZLogQuerySchema } from './services';

const form = ZCreateServiceSchema.shape;

/** ModelArts' auto-stop: `[{type: "stop", time_unit: "HOURS", duration}]`, or `[]` for none. */
export const ZRestScheduleSchema = z
  .array(
    z.strictObject({
      type: z.literal('stop', 'Anvil schedules only "stop".'),
      time_unit: z.literal('HOURS', 'Anvil counts auto-stop in whole hours: use "HOURS".'),
      duration: ZAutoStopSchema.shape.hours,
    }),
  )
  .max(1, 'Give at most one schedule entry.')
  .meta({ id: 'Schedule', description: 'Stop the service after `duration` hours (1-24); [] switches auto-stop off.' });

/** `envs` as ModelArts sends them (a map); each name and value is checked like a row of the form. */
const ZRestEnvsSchema = z.record(z.string(), ZEnvVarSchema.shape.value).superRefine((envs, ctx) => {
  for (const key of Object.keys(envs)) {
    const check = ZEnvVarSchema.shape.key.safeParse(key);
    if (!check.success) ctx.addIssue({ code: 'custom', path: [key], message: check.error.issues[0].message });
  }
});

export const ZRestServiceConfigSchema = z
  .strictObject({
    version_id: z.string().min(1).optional().meta({ description: 'On update: a version the service already runs (kept, with its instances).' }),
    model_id: form.appId,
    specification: form.flavor.meta({ description: 'cpu.1u2g, cpu.2u8g, cpu.8u32g or gpu.1x.8u32g.' }),
    instance_count: form.instanceCount.unwrap().optional().meta({ description: '1-128, default 1.' }),
    weight: form.trafficWeight.unwrap().optional().meta({ description: 'Traffic ratio in percent: 100 with one version; with several they sum to 100.' }),
    envs: ZRestEnvsSchema.optional(),
  })
  .meta({ id: 'ServiceConfig' });

export const ZRestCreateServiceSchema = z
  .strictObject({
    service_name: form.name,
    description: form.description.unwrap().optional(),
    infer_type: z.literal('real-time', 'Anvil deploys real-time services only.').optional(),
    deploy_timeout: form.deployTimeoutMinutes.unwrap().optional().meta({ description: 'Minutes, 3-120, default 20.' }),
    pool_name: form.pool.meta({ description: 'Resource pool: `local` (processes on the Anvil machine), `docker` or another Docker pool. Default: the default pool.' }),
    schedule: ZRestScheduleSchema.optional().meta({ description: 'Default: stop after 1 hour.' }),
    config: z
      .array(ZRestServiceConfigSchema)
      .min(1, 'config lists at least one AI application version.')
      .max(MAX_SERVICE_VERSIONS, `config lists at most ${MAX_SERVICE_VERSIONS} versions.`),
    qps_limit: form.qpsLimit.unwrap().optional().meta({ description: 'Requests per second (1-100000); past it the gateway answers 429 APIG.0308. Default: none.' }),
    upgrade_to_websocket: form.websocket.unwrap().optional().meta({ description: 'Container-image applications only; cannot be changed later (guide §3.1.4.4).' }),
    app_auth: form.appAuth.unwrap().optional().meta({ description: 'Accept APP authentication (AppKey/AppSecret, AppCode, apikey).' }),
    app_ids: form.authAppIds.unwrap().optional().meta({ description: 'APP-authentication apps allowed to call the service (with app_auth).' }),
  })
  .meta({ id: 'CreateServiceRequest' });
export type TRestCreateService = z.infer<typeof ZRestCreateServiceSchema>;

/** ModelArts' PUT on a service: start or stop it, change its auto-stop, or its description. */
export const ZRestUpdateServiceSchema = z
  .strictObject({
    status: z.enum(['running', 'stopped'], 'status is "running" (start) or "stopped" (stop).').optional(),
    schedule: ZRestScheduleSchema.optional(),
    description: form.description.unwrap().optional(),
    config: z.array(ZRestServiceConfigSchema).min(1).max(MAX_SERVICE_VERSIONS).optional().meta({
      description: 'The versions (gray release): entries with version_id are kept, others added, missing ones removed; weights sum to 100.',
    }),
  })
  .refine((b) => b.status !== undefined || b.schedule !== undefined || b.description !== undefined || b.config !== undefined, 'Send status, schedule, description or config.')
  .meta({ id: 'UpdateServiceRequest' });
export type TRestUpdateService = z.infer<typeof ZRestUpdateServiceSchema>;

/** Where each field of the console's form lives in the REST body, so core errors name the REST field. */
export const REST_SERVICE_FIELDS: Record<string, string> = {
  name: 'service_name',
  description: 'description',
  appId: 'config.0.model_id',
  flavor: 'config.0.specification',
  instanceCount: 'config.0.instance_count',
  trafficWeight: 'config.0.weight',
  versions: 'config',
  envs: 'config.0.envs',
  deployTimeoutMinutes: 'deploy_timeout',
  autoStop: 'schedule',
  pool: 'pool_name',
  qpsLimit: 'qps_limit',
  websocket: 'upgrade_to_websocket',
  appAuth: 'app_auth',
  authAppIds: 'app_ids',
};

export const ZRestLogQuerySchema = z.object({
  minutes: z.enum(['5', '30', '60'], 'minutes must be 5, 30 or 60.').default('60'),
  keyword: ZLogQuerySchema.shape.keyword.meta({ description: 'The search syntax of the console (guide §3.1.2).' }),
});

export const ZRestCreatedServiceSchema = z
  .object({ service_id: z.string(), service_name: z.string(), status: z.enum(SERVICE_STATUSES) })
  .meta({ id: 'CreatedService' });

export const ZRestServiceSchema = z
  .object({
    service_id: z.string(),
    service_name: z.string(),
    status: z.enum(SERVICE_STATUSES),
    description: z.string(),
    infer_type: z.literal('real-time'),
    access_address: z.string().meta({ description: 'The inference URL: POST it with X-Auth-Token.' }),
    config: z.array(
      z.object({
        version_id: z.string().optional(),
        model_id: z.string(),
        model_name: z.string(),
        model_version: z.string(),
        weight: z.number(),
        specification: z.string(),
        instance_count: z.number(),
      }),
    ),
    schedule: z.array(z.object({ type: z.literal('stop'), time_unit: z.literal('HOURS'), duration: z.number() })),
    ready_instance_count: z.number(),
    pool_name: z.string(),
    create_at: z.number().meta({ description: 'Epoch milliseconds.' }),
    update_time: z.number().meta({ description: 'Epoch milliseconds.' }),
  })
  .meta({ id: 'Service' });

export const ZRestServiceDetailSchema = ZRestServiceSchema.extend({
  instances: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      port: z.number().nullable(),
      pid: z.number().nullable(),
      restarts: z.number(),
      startedAt: z.number().nullable(),
      createdAt: z.number(),
      node: z.string(),
      containerId: z.string().nullable(),
    }),
  ),
  envs: z.array(z.object({ key: z.string(), value: z.string() })),
}).meta({ id: 'ServiceDetail' });

export const ZRestServiceListSchema = z.object({ services: z.array(ZRestServiceSchema) }).meta({ id: 'ServiceList' });

export const ZRestLogLinesSchema = z
  .object({
    lines: z.array(z.object({ id: z.number(), ts: z.number(), instanceId: z.string(), stream: z.enum(['stdout', 'stderr']), line: z.string() })),
    truncated: z.boolean(),
  })
  .meta({ id: 'LogLines' });
