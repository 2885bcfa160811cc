/**
 * The REST spelling of resource pools and nodes (snake_case; admin bodies wrapped in `pool` / `node`
 * like `/v3/projects`). Fields reuse the console's schemas (`ZCreatePoolSchema`, `ZAddNodeSchema`),
 * so both doors refuse the same values with the same messages.
 */
import { z } from 'zod';
import { NODE_STATUSES, POOL_RUNTIMES, ZAddNodeSchema, ZAllocatableSchema, ZCreatePoolSchema } from './pools';

const ZRestResourcesSchema = z
  .object({ cpus: z.number(), memory_gib: z.number(), gpus: z.number() })
  .meta({ id: 'PoolResources', description: 'vCPUs, GiB of memory and GPUs.' });

export const ZRestNodeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pool_id: z.string(),
    endpoint: z.string().meta({ description: '`unix:///var/run/docker.sock`, `tcp://host:2376`, or `process://this-machine` for the local pool.' }),
    is_auto: z.boolean().meta({ description: 'Added by Anvil itself (the local engine, the local pool).' }),
    status: z.enum(NODE_STATUSES),
    status_reason: z.string(),
    engine_version: z.string().nullable(),
    total: ZRestResourcesSchema.meta({ description: 'What the scheduler hands out (allocatable, or the engine\'s cores and memory).' }),
    used: ZRestResourcesSchema.meta({ description: 'What placed instances hold.' }),
    free: ZRestResourcesSchema,
    gpus: z.array(
      z.object({
        index: z.number(),
        uuid: z.string(),
        name: z.string(),
        memory_total_mib: z.number(),
        memory_used_mib: z.number().nullable(),
        utilization_pct: z.number().nullable(),
        instance_id: z.string().nullable().meta({ description: 'The instance that holds this GPU, if any.' }),
      }),
    ),
    instance_count: z.number(),
    checked_at: z.number().nullable().meta({ description: 'When the inventory was last taken (ms since the epoch).' }),
  })
  .meta({ id: 'PoolNode' });

export const ZRestPoolSchema = z
  .object({
    id: z.string(),
    runtime: z.enum(POOL_RUNTIMES),
    description: z.string(),
    is_default: z.boolean().meta({ description: 'Where a deploy without pool_name lands.' }),
    unavailable_reason: z.string().meta({ description: 'Why the pool cannot take a deploy now; empty when it can.' }),
    nodes: z.array(ZRestNodeSchema),
  })
  .meta({ id: 'Pool' });

export const ZRestPoolListSchema = z.object({ pools: z.array(ZRestPoolSchema) }).meta({ id: 'PoolList' });
export const ZRestPoolBodySchema = z.object({ pool: ZRestPoolSchema }).meta({ id: 'PoolBody' });
export const ZRestNodeBodySchema = z.object({ node: ZRestNodeSchema }).meta({ id: 'PoolNodeBody' });

const pool = ZCreatePoolSchema.shape;
export const ZRestCreatePoolSchema = z
  .strictObject({ pool: z.strictObject({ id: pool.id, description: pool.description.unwrap().optional() }) })
  .meta({ id: 'CreatePoolRequest' });

const allocatable = ZAllocatableSchema.shape;
const ZRestAllocatableSchema = z
  .strictObject({ cpus: allocatable.cpus, memory_gib: allocatable.memoryGiB })
  .meta({ id: 'Allocatable', description: 'What the scheduler may hand out on the node (at most what it has).' });

const node = ZAddNodeSchema.shape;
export const ZRestAddNodeSchema = z
  .strictObject({
    node: z.strictObject({
      name: node.name,
      endpoint: node.endpoint.meta({ description: '`unix:///var/run/docker.sock`, or `tcp://host:2376` with `tls`.' }),
      tls: z
        .strictObject({ ca: z.string(), cert: z.string(), key: z.string() })
        .partial()
        .optional()
        .meta({ description: 'PEM texts of the CA, the client certificate and its key; required for tcp://.' }),
      allocatable: ZRestAllocatableSchema.optional().meta({ description: "Default: the engine's cores and memory." }),
    }),
  })
  .meta({ id: 'AddNodeRequest' });

export const ZRestSetAllocatableSchema = z
  .strictObject({ allocatable: ZRestAllocatableSchema.nullable().meta({ description: "null: back to the engine's cores and memory." }) })
  .meta({ id: 'SetAllocatableRequest' });

/** Where each field of the console's forms lives in the REST bodies, so core errors name the REST field. */
export const REST_POOL_FIELDS: Record<string, string> = { id: 'pool.id', description: 'pool.description' };
export const REST_NODE_FIELDS: Record<string, string> = {
  poolId: 'pool_id',
  name: 'node.name',
  endpoint: 'node.endpoint',
  tls: 'node.tls',
  allocatable: 'node.allocatable',
};
