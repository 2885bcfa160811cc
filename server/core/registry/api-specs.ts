/** config.json `apis` as the console and the gateway read them: defaults applied, parameters flattened. */
import { flattenSchema } from '../../contracts/api-fields';
import type { TApiSpec } from '../../contracts/apps';
import type { TModelConfig } from './config-schema';

/** Guide table 4-3: url defaults to `/`, method to POST, Content-type to application/json. */
export function toApiSpecs(config: TModelConfig): TApiSpec[] {
  const apis = config.apis?.length ? config.apis : [{ url: '/', method: 'POST' }];
  return apis.map((api) => {
    const a = api as NonNullable<TModelConfig['apis']>[number];
    return {
      url: a.url,
      method: a.method.toUpperCase(),
      requestContentType: a.request?.['Content-type'] ?? 'application/json',
      responseContentType: a.response?.['Content-type'] ?? 'application/json',
      request: a.request?.data ?? null,
      response: a.response?.data ?? null,
      inputs: flattenSchema(a.request?.data),
      outputs: flattenSchema(a.response?.data),
    };
  });
}
