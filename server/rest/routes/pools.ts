/**
 * Resource pools: `GET /v1/{project_id}/pools` for any project member (what a deploy can choose),
 * and `/v3/pools…` for administrators (pools and nodes belong to the installation, not a project;
 * the administrator right is checked on every request, as for `/v3/projects`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { TNodeView, TPoolView, TResources } from '../../contracts/pools';
import {
  REST_NODE_FIELDS,
  REST_POOL_FIELDS,
  ZRestAddNodeSchema,
  ZRestCreatePoolSchema,
  ZRestNodeBodySchema,
  ZRestPoolBodySchema,
  ZRestPoolListSchema,
  ZRestSetAllocatableSchema,
} from '../../contracts/rest-pools';
import { CoreError } from '../../core/errors';
import { STATUS } from '../http-io';
import { errorResponses, inRestTerms, jsonResponse, restFieldOf, ZProjectParamsSchema, type TManagementApp } from './route-kit';

const TAGS = ['Resource pools'];
const ADMIN_ERRORS = [401, 403] as const;
// Three PEM blocks of up to 64 KiB each, plus the rest of the body.
const MAX_BODY_BYTES = 256 * 1024;
const ZPoolParamsSchema = z.object({ pool_id: z.string().min(1) });
const ZNodeParamsSchema = ZPoolParamsSchema.extend({ node_id: z.string().min(1) });
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

/** Core fields (`allocatable.memoryGiB`) in REST terms (`node.allocatable.memory_gib`). */
const snake = (field: string) => field.replace('memoryGiB', 'memory_gib');
const poolFieldOf = restFieldOf(REST_POOL_FIELDS);
const nodeFieldOf = (field: string) => snake(restFieldOf(REST_NODE_FIELDS)(field));

const toResources = (r: TResources) => ({ cpus: r.cpus, memory_gib: r.memoryGiB, gpus: r.gpus });
const toNode = (n: TNodeView) => ({
  id: n.id, name: n.name, pool_id: n.poolId, endpoint: n.endpoint, is_auto: n.isAuto, status: n.status, status_reason: n.statusReason,
  engine_version: n.engineVersion, total: toResources(n.total), used: toResources(n.used), free: toResources(n.free),
  gpus: n.gpus.map((g) => ({
    index: g.index, uuid: g.uuid, name: g.name, memory_total_mib: g.memoryTotalMiB, memory_used_mib: g.memoryUsedMiB, utilization_pct: g.utilizationPct, instance_id: g.instanceId,
  })),
  instance_count: n.instances, checked_at: n.checkedAt,
});
const toPool = (p: TPoolView) => ({
  id: p.id, runtime: p.runtime, description: p.description, is_default: p.isDefault, unavailable_reason: p.unavailableReason, nodes: p.nodes.map(toNode),
});

const list = createRoute({
  method: 'get',
  path: '/v1/{project_id}/pools',
  operationId: 'listPools',
  summary: 'List resource pools with their nodes and free capacity',
  tags: TAGS,
  request: { params: ZProjectParamsSchema },
  responses: { 200: jsonResponse(ZRestPoolListSchema, 'Every pool of the installation.'), ...errorResponses(401, 403) },
});

const createPool = createRoute({
  method: 'post',
  path: '/v3/pools',
  operationId: 'createPool',
  summary: 'Create a Docker pool (no node yet)',
  tags: TAGS,
  request: json(ZRestCreatePoolSchema),
  responses: { 201: jsonResponse(ZRestPoolBodySchema, 'The pool.'), ...errorResponses(400, ...ADMIN_ERRORS, 409, 413, 415) },
});

const deletePool = createRoute({
  method: 'delete',
  path: '/v3/pools/{pool_id}',
  operationId: 'deletePool',
  summary: 'Delete a pool without nodes or services (never `local`)',
  tags: TAGS,
  request: { params: ZPoolParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(...ADMIN_ERRORS, 404, 409) },
});

const addNode = createRoute({
  method: 'post',
  path: '/v3/pools/{pool_id}/nodes',
  operationId: 'addPoolNode',
  summary: 'Add a Docker Engine node (checked: it must answer)',
  tags: TAGS,
  request: { params: ZPoolParamsSchema, ...json(ZRestAddNodeSchema) },
  responses: { 201: jsonResponse(ZRestNodeBodySchema, 'The node with its inventory.'), ...errorResponses(400, ...ADMIN_ERRORS, 409, 413, 415) },
});

const removeNode = createRoute({
  method: 'delete',
  path: '/v3/pools/{pool_id}/nodes/{node_id}',
  operationId: 'removePoolNode',
  summary: 'Remove a node that runs no instance',
  tags: TAGS,
  request: { params: ZNodeParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(...ADMIN_ERRORS, 404, 409) },
});

const setAllocatable = createRoute({
  method: 'put',
  path: '/v3/pools/{pool_id}/nodes/{node_id}/allocatable',
  operationId: 'setNodeAllocatable',
  summary: 'Set (or clear) what the scheduler may hand out on a node',
  tags: TAGS,
  request: { params: ZNodeParamsSchema, ...json(ZRestSetAllocatableSchema) },
  responses: { 200: jsonResponse(ZRestNodeBodySchema, 'The node.'), ...errorResponses(400, ...ADMIN_ERRORS, 404, 413, 415) },
});

const refresh = createRoute({
  method: 'post',
  path: '/v3/pools/refresh',
  operationId: 'refreshPools',
  summary: "Take every node's inventory now (otherwise every minute)",
  tags: TAGS,
  responses: { 200: jsonResponse(ZRestPoolListSchema, 'Every pool, freshly checked.'), ...errorResponses(...ADMIN_ERRORS) },
});

/** The node must be in the pool of the URL: another pool's node is 404, like a missing one. */
function requireNode(pools: TPoolView[], poolId: string, nodeId: string): void {
  if (!pools.find((p) => p.id === poolId)?.nodes.some((n) => n.id === nodeId)) throw new CoreError('NOT_FOUND', `Node ${nodeId} of pool ${poolId} does not exist.`);
}

/** Registers the pool routes; the `/v3/pools` ones behind the administrator check. */
export function registerPoolRoutes(app: TManagementApp): void {
  // A trailing `/*` also matches the bare path (`/v3/pools`).
  app.use('/v3/pools/*', async (c, next) => {
    c.var.core.directory.requireAdmin(c.var.identity.userId);
    // Only administrators get this far, so a declared length is enough of a guard (see routes/admin.ts).
    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES) {
      return c.json({ error_code: STATUS.PAYLOAD_TOO_LARGE[1], error_msg: `The request body is larger than ${MAX_BODY_BYTES} bytes.` }, 413);
    }
    await next();
  });

  app.openapi(list, (c) => c.json({ pools: c.var.core.pools.pools().map(toPool) }, 200));

  app.openapi(createPool, async (c) => {
    const { pool } = c.req.valid('json');
    const created = await inRestTerms(poolFieldOf, () => c.var.core.pools.createPool(pool));
    return c.json({ pool: toPool(created) }, 201);
  });

  app.openapi(deletePool, (c) => {
    c.var.core.pools.deletePool(c.req.valid('param').pool_id);
    return c.body(null, 204);
  });

  app.openapi(addNode, async (c) => {
    const { pool_id: poolId } = c.req.valid('param');
    const { node } = c.req.valid('json');
    const allocatable = node.allocatable ? { cpus: node.allocatable.cpus, memoryGiB: node.allocatable.memory_gib } : undefined;
    const added = await inRestTerms(nodeFieldOf, () => c.var.core.pools.addNode({ poolId, name: node.name, endpoint: node.endpoint, tls: node.tls, allocatable }));
    return c.json({ node: toNode(added) }, 201);
  });

  app.openapi(removeNode, async (c) => {
    const { pool_id: poolId, node_id: nodeId } = c.req.valid('param');
    requireNode(c.var.core.pools.pools(), poolId, nodeId);
    await c.var.core.pools.removeNode(nodeId);
    return c.body(null, 204);
  });

  app.openapi(setAllocatable, async (c) => {
    const { pool_id: poolId, node_id: nodeId } = c.req.valid('param');
    requireNode(c.var.core.pools.pools(), poolId, nodeId);
    const { allocatable } = c.req.valid('json');
    const value = allocatable ? { cpus: allocatable.cpus, memoryGiB: allocatable.memory_gib } : null;
    const node = await inRestTerms(snake, () => c.var.core.pools.setAllocatable(nodeId, value));
    return c.json({ node: toNode(node) }, 200);
  });

  app.openapi(refresh, async (c) => {
    await c.var.core.pools.refreshAll();
    return c.json({ pools: c.var.core.pools.pools().map(toPool) }, 200);
  });
}
