/** Management REST under /v1/{project_id}/: AI applications ("models") and online services, ModelArts-style snake_case. */
import type http from 'node:http';
import type { TAppSummary } from '../contracts/apps';
import type { TServiceSummary } from '../contracts/services';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError } from '../core/errors';
import type { TIdentity } from '../core/iam/identity';
import { readJson, sendJson } from './http-io';

type Body = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const toModel = (a: TAppSummary) => ({
  model_id: a.id, model_name: a.name, model_version: a.version, model_status: a.status, model_type: a.modelType,
  runtime: a.runtime, source_location: a.sourceUri, description: a.description, model_size: a.sizeBytes,
  install_type: a.deployTypes.map((t) => (t === 'online' ? 'real-time' : t)), create_at: a.createdAt,
});

const toService = (s: TServiceSummary, publicUrl: string) => ({
  service_id: s.id, service_name: s.name, status: s.status, description: s.description, infer_type: 'real-time',
  access_address: `${publicUrl}/v1/infers/${s.id}`,
  config: [{ model_id: s.appId, model_name: s.appName, model_version: s.appVersion, weight: 100, specification: s.flavor, instance_count: s.instanceCount }],
  ready_instance_count: s.readyInstances, create_at: s.createdAt, update_time: s.updatedAt,
});

export async function handleManagement(
  core: TAnvilCore,
  who: TIdentity,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  parts: string[],
  publicUrl: string,
): Promise<void> {
  const [projectId, collection, id, sub] = parts;
  if (projectId !== who.projectId) throw new CoreError('FORBIDDEN', 'The token is scoped to another project than the one in the URL.');
  const method = req.method ?? 'GET';
  const p = who.projectId;

  if (collection === 'models') {
    if (!id && method === 'GET') return sendJson(res, 200, { models: core.registry.list(p).flatMap((g) => g.versions.map(toModel)) });
    if (!id && method === 'POST') {
      const b = (await readJson(req)) as Body;
      const app = core.registry.create(p, {
        name: str(b.model_name) ?? '',
        version: str(b.model_version),
        description: str(b.description),
        sourceUri: str(b.source_location) ?? '',
        runtime: str(b.runtime),
        deployTypes: Array.isArray(b.install_type) ? b.install_type.map((t) => (t === 'real-time' ? 'online' : t)) : undefined,
      });
      return sendJson(res, 201, { model_id: app.id, model_name: app.name, model_version: app.version, model_status: app.status });
    }
    if (id && !sub && method === 'GET') {
      const app = core.registry.get(p, id);
      return sendJson(res, 200, { ...toModel(app), apis: app.apis, metrics: app.metrics });
    }
    if (id && !sub && method === 'DELETE') {
      core.registry.delete(p, id);
      return void res.writeHead(204).end();
    }
    if (id && sub === 'events' && method === 'GET') {
      core.registry.summary(p, id);
      return sendJson(res, 200, { events: core.events.list('app', id) });
    }
  }

  if (collection === 'services') {
    if (!id && method === 'GET') return sendJson(res, 200, { services: core.services.list(p).map((s) => toService(s, publicUrl)) });
    if (!id && method === 'POST') {
      const b = (await readJson(req)) as Body;
      const config = Array.isArray(b.config) ? (b.config as Body[]) : [];
      if (config.length !== 1) throw new CoreError('INVALID_ARGUMENT', 'config must list exactly one AI application version.', 'config');
      const c = config[0];
      const envs = c.envs && typeof c.envs === 'object' ? Object.entries(c.envs as Body).map(([key, value]) => ({ key, value: String(value) })) : [];
      const autoStop = b.schedule === undefined ? undefined : autoStopOf(b.schedule);
      const created = core.services.create(p, {
        name: str(b.service_name) ?? '',
        description: str(b.description),
        appId: str(c.model_id) ?? '',
        flavor: str(c.specification) ?? '',
        instanceCount: typeof c.instance_count === 'number' ? c.instance_count : undefined,
        trafficWeight: (c.weight ?? 100) as 100,
        envs,
        deployTimeoutMinutes: typeof b.deploy_timeout === 'number' ? b.deploy_timeout : undefined,
        autoStop,
      });
      return sendJson(res, 201, { service_id: created.id, service_name: created.name, status: created.status });
    }
    if (id && !sub && method === 'GET') {
      const detail = core.services.get(p, id);
      return sendJson(res, 200, { ...toService(detail, publicUrl), instances: detail.instances, envs: detail.envs });
    }
    if (id && !sub && method === 'DELETE') {
      await core.services.delete(p, id);
      return void res.writeHead(204).end();
    }
    if (id && sub === 'events' && method === 'GET') {
      core.services.summary(p, id);
      return sendJson(res, 200, { events: core.events.list('service', id) });
    }
    if (id && sub === 'logs' && method === 'GET') {
      core.services.summary(p, id);
      const url = new URL(req.url ?? '/', 'http://x');
      const minutes = Number(url.searchParams.get('minutes') ?? 60);
      if (![5, 30, 60].includes(minutes)) throw new CoreError('INVALID_ARGUMENT', 'minutes must be 5, 30 or 60.', 'minutes');
      return sendJson(res, 200, core.logs.query({ serviceId: id, range: { kind: 'last', minutes: minutes as 5 | 30 | 60 }, keyword: url.searchParams.get('keyword') ?? '' }));
    }
  }
  throw new CoreError('NOT_FOUND', `No API ${method} /v1/${parts.join('/')}.`);
}

/** ModelArts `schedule` ([{type:"stop", time_unit:"HOURS", duration:n}]) or [] for no auto-stop. */
function autoStopOf(schedule: unknown): { enabled: boolean; hours: number } {
  const entry = Array.isArray(schedule) ? (schedule[0] as Body | undefined) : undefined;
  if (!entry) return { enabled: false, hours: 1 };
  if (entry.type !== 'stop' || entry.time_unit !== 'HOURS') throw new CoreError('INVALID_ARGUMENT', 'schedule takes {type:"stop", time_unit:"HOURS", duration}.', 'schedule');
  return { enabled: true, hours: Number(entry.duration) };
}
