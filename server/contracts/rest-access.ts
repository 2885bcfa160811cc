/**
 * The REST spelling of gateway credentials: IAM's permanent access keys
 * (`/v3.0/OS-CREDENTIAL/credentials`), APP-authentication apps, a service's access settings and
 * the VPC endpoint lookup (GUIDE-INDEX §A decision 20). Fields reuse the console's schemas.
 */
import { z } from 'zod';
import { ZAccessKeyStatusSchema, ZCreateAccessKeySchema, ZCreateAuthAppSchema, ZQpsLimitSchema } from './access';
import { ZServiceRuleSchema } from './service-rules';

export const ZRestCreateCredentialSchema = z
  .strictObject({
    credential: z.strictObject({
      user_id: z.string().min(1, 'user_id is required.'),
      description: ZCreateAccessKeySchema.shape.description.unwrap().optional(),
    }),
  })
  .meta({ id: 'CreateCredentialRequest' });

export const ZRestUpdateCredentialSchema = z
  .strictObject({ credential: z.strictObject({ status: ZAccessKeyStatusSchema }) })
  .meta({ id: 'UpdateCredentialRequest' });

const credentialFields = {
  access: z.string(),
  status: ZAccessKeyStatusSchema,
  user_id: z.string(),
  description: z.string(),
  create_time: z.string().meta({ description: 'ISO 8601.' }),
};
export const ZRestCredentialSchema = z.object({ ...credentialFields, last_use_time: z.string().nullable() }).meta({ id: 'Credential' });
export const ZRestCreatedCredentialSchema = z
  .object({ credential: z.object({ ...credentialFields, secret: z.string().meta({ description: 'Shown only in this answer.' }) }) })
  .meta({ id: 'CreatedCredential' });

export const ZRestCreateAuthAppSchema = z
  .strictObject({ name: ZCreateAuthAppSchema.shape.name, description: ZCreateAuthAppSchema.shape.description.unwrap().optional() })
  .meta({ id: 'CreateAuthAppRequest' });

export const ZRestAuthAppSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    app_key: z.string(),
    app_secret: z.string(),
    app_codes: z.array(z.object({ id: z.string(), app_code: z.string(), create_time: z.number() })),
    services: z.array(z.object({ id: z.string(), name: z.string() })),
    create_time: z.number(),
    update_time: z.number(),
  })
  .meta({ id: 'AuthApp' });

export const ZRestServiceAccessSchema = z
  .object({
    service_id: z.string(),
    access_address: z.string().meta({ description: 'http(s):// or, for a WebSocket service, ws(s)://; the same address takes APP authentication.' }),
    app_auth: z.boolean(),
    qps_limit: z.number().nullable(),
    websocket: z.boolean(),
    service_token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`.' }),
    apps: z.array(z.object({ id: z.string(), name: z.string(), app_key: z.string() })),
  })
  .meta({ id: 'ServiceAccess' });

export const ZRestUpdateServiceAccessSchema = z
  .strictObject({ app_auth: z.boolean().optional(), qps_limit: ZQpsLimitSchema.optional() })
  .refine((b) => b.app_auth !== undefined || b.qps_limit !== undefined, 'Send app_auth or qps_limit.')
  .meta({ id: 'UpdateServiceAccessRequest' });

export const ZRestRuleSchema = z
  .strictObject({
    condition: ZServiceRuleSchema.shape.condition,
    version_id: ZServiceRuleSchema.shape.versionId,
    header_name: ZServiceRuleSchema.shape.headerName.unwrap().optional(),
    header_value: ZServiceRuleSchema.shape.headerValue.unwrap().optional(),
  })
  .meta({ id: 'ServiceRule' });
export const ZRestRulesSchema = z.strictObject({ rules: z.array(ZRestRuleSchema) }).meta({ id: 'ServiceRules' });

export const ZRestEndpointsQuerySchema = z.object({
  type: z.literal('host_endpoints', 'type must be host_endpoints.'),
});
export const ZRestEndpointsSchema = z
  .object({ service_id: z.string(), endpoints: z.array(z.object({ schema: z.string(), ip: z.string(), port: z.number(), instance_id: z.string() })) })
  .meta({ id: 'HostEndpoints' });
