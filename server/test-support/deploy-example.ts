/** Deploys one of `examples/` over the public REST API, as a user would: upload, import, deploy, wait for running. */
import path from 'node:path';
import { waitFor, zipFolder } from './anvil-harness';

export async function deployExample(url: string, auth: { token: string; projectId: string }, example: string, serviceName = `${example}-svc`): Promise<string> {
  const call = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}${p}`, { ...init, headers: { 'x-auth-token': auth.token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
    const body = (await res.json().catch(() => ({}))) as Record<string, string>;
    return { status: res.status, body };
  };
  const bucket = await call('/obs/examples', { method: 'PUT' });
  if (bucket.status !== 201 && bucket.status !== 409) throw new Error(`bucket: ${bucket.status} ${JSON.stringify(bucket.body)}`);
  const upload = await call(`/obs/examples/${example}?extract=zip`, { method: 'PUT', body: zipFolder(path.resolve(`examples/${example}/model`)), headers: { 'content-type': 'application/zip' } });
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  const model = await call(`/v1/${auth.projectId}/models`, { method: 'POST', body: JSON.stringify({ model_name: example, source_location: `obs://examples/${example}` }) });
  if (model.status !== 201) throw new Error(`import: ${model.status} ${JSON.stringify(model.body)}`);
  await waitFor(async () => (await call(`/v1/${auth.projectId}/models/${model.body.model_id}`)).body.model_status === 'normal', 30_000, `${example} imported`);
  const service = await call(`/v1/${auth.projectId}/services`, {
    method: 'POST',
    body: JSON.stringify({ service_name: serviceName, config: [{ model_id: model.body.model_id, specification: 'cpu.1u2g', instance_count: 1 }] }),
  });
  if (service.status !== 201) throw new Error(`deploy: ${service.status} ${JSON.stringify(service.body)}`);
  await waitFor(async () => (await call(`/v1/${auth.projectId}/services/${service.body.service_id}`)).body.status === 'running', 60_000, `${serviceName} running`);
  return service.body.service_id;
}
