/** Deploys a model package written inline (config.json and customize_service.py) over the public REST API, and waits for Running. */
import { waitFor } from './anvil-harness';

export async function deployPackage(
  url: string,
  auth: { token: string; projectId: string },
  name: string,
  code: string,
  opts: { config?: Record<string, unknown>; model?: Record<string, unknown> } = {},
): Promise<{ serviceId: string; modelId: string }> {
  const call = (p: string, init: RequestInit = {}) => fetch(`${url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' } });
  await call('/obs/packages', { method: 'PUT' });
  const config = { model_algorithm: name, model_type: 'MindSpore', runtime: 'aarch64', ...opts.config };
  await call(`/obs/packages/${name}/model/config.json`, { method: 'PUT', body: JSON.stringify(config) });
  await call(`/obs/packages/${name}/model/customize_service.py`, { method: 'PUT', body: code });
  const created = (await (await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: name, source_location: `obs://packages/${name}`, ...opts.model }) })).json()) as { model_id: string };
  await waitFor(async () => ((await (await call(`/v1/${auth.projectId}/models/${created.model_id}`)).json()) as { model_status: string }).model_status === 'normal', 30_000, `${name} imported`);
  const deployed = (await (
    await call(`/v1/${auth.projectId}/services`, { method: 'POST', body: JSON.stringify({ service_name: name, config: [{ model_id: created.model_id, specification: 'cpu.1u2g' }] }) })
  ).json()) as { service_id: string };
  await waitFor(async () => ((await (await call(`/v1/${auth.projectId}/services/${deployed.service_id}`)).json()) as { status: string }).status === 'running', 60_000, `${name} running`);
  return { serviceId: deployed.service_id, modelId: created.model_id };
}

/** A model that sleeps `data.sleep` seconds, then answers `{"slept": …}`: for time limits. */
export const SLOW_MODEL = `
import time
from model_service.model_service import SingleNodeService

class Slow(SingleNodeService):
    def _inference(self, data):
        time.sleep(float(data.get("sleep", 0)))
        return {"slept": data.get("sleep", 0)}
`;
