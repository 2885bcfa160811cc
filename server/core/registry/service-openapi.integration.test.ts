/**
 * Each online service's OpenAPI 3.1 document, generated from its application's `apis`: served by
 * the gateway at /v1/infers/{id}/openapi.json to callers with the service's credentials, and valid
 * for a real OpenAPI validator (@apidevtools/swagger-parser), for the guide's object-detection
 * config.json (a `file` field, tuple `items`) as for a package without `apis`.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestAnvil, type TTestAnvil } from '../../test-support/anvil-harness';
import { deployPackage } from '../../test-support/deploy-package';
import { toJsonSchema } from './service-openapi';

const ECHO = 'from model_service.model_service import SingleNodeService\n\nclass Echo(SingleNodeService):\n    def _inference(self, data):\n        return data\n';
/** Guide §4.1's object-detection example of `apis`. */
const DETECTION_APIS = [
  {
    url: '/', method: 'post',
    request: { 'Content-type': 'multipart/form-data', data: { type: 'object', properties: { images: { type: 'file' } } } },
    response: {
      'Content-type': 'application/json',
      data: {
        type: 'object',
        properties: {
          detection_classes: { type: 'array', items: [{ type: 'string' }] },
          detection_boxes: { type: 'array', items: [{ type: 'array', minItems: 4, maxItems: 4, items: [{ type: 'number' }] }] },
          detection_scores: { type: 'array', items: [{ type: 'number' }] },
        },
      },
    },
  },
];

let anvil: TTestAnvil;
let auth: { token: string; projectId: string };
let detector: string;
let plain: string;
const contract = (serviceId: string, headers: Record<string, string> = { 'x-auth-token': auth.token }) =>
  fetch(`${anvil.url}/v1/infers/${serviceId}/openapi.json`, { headers }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as Record<string, any> })); // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  anvil = await startTestAnvil();
  auth = await getToken(anvil.url);
  ({ serviceId: detector } = await deployPackage(anvil.url, auth, 'detector', ECHO, { config: { apis: DETECTION_APIS } }));
  ({ serviceId: plain } = await deployPackage(anvil.url, auth, 'plain', ECHO));
}, 180_000);

afterAll(() => anvil?.close());

describe('a service\'s OpenAPI document', () => {
  it('describes the guide\'s object-detection API, and validates', async () => {
    const { status, type, body } = await contract(detector);
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    expect(body.openapi).toBe('3.1.0');
    expect(body.info.title).toBe('detector');
    expect(body.servers).toEqual([expect.objectContaining({ url: `/v1/infers/${detector}` })]);
    const op = body.paths['/'].post;
    expect(op.operationId).toBe('predict');
    expect(op.requestBody.content['multipart/form-data'].schema).toEqual({ type: 'object', properties: { images: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' } } });
    expect(op.responses['200'].content['application/json'].schema.properties.detection_boxes).toEqual({ type: 'array', items: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } });
    expect(op.responses['401'].description).toContain('APIG.0301');
    // Every service has its own token (seed 004); APP authentication is off until it is turned on.
    expect(Object.keys(body.components.securitySchemes)).toEqual(['token', 'aksk', 'serviceToken']);
    await expect(SwaggerParser.validate(structuredClone(body) as never)).resolves.toBeDefined();
  });

  it('describes a package without apis as POST / with any JSON, and validates', async () => {
    const { body } = await contract(plain);
    expect(body.paths['/'].post.requestBody.content['application/json'].schema).toEqual({});
    await expect(SwaggerParser.validate(structuredClone(body) as never)).resolves.toBeDefined();
  });

  it('names APP authentication once the service takes it, and still describes the token after a reset', async () => {
    const headers = { 'x-auth-token': auth.token, 'content-type': 'application/json' };
    const base = `${anvil.url}/v1/${auth.projectId}/services/${plain}`;
    expect((await fetch(`${base}/access`, { method: 'PUT', headers, body: JSON.stringify({ app_auth: true }) })).status).toBe(200);
    expect((await fetch(`${base}/token/reset`, { method: 'POST', headers })).status).toBe(200);
    const { body } = await contract(plain);
    expect(Object.keys(body.components.securitySchemes)).toEqual(['token', 'aksk', 'appCode', 'appKey', 'serviceToken']);
    expect(body.security).toContainEqual({ serviceToken: [] });
    await expect(SwaggerParser.validate(structuredClone(body) as never)).resolves.toBeDefined();
  });

  it('needs the same credentials as the service\'s API', async () => {
    const anonymous = await contract(detector, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error_code: expect.stringMatching(/^APIG\./), request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await contract(detector, { 'x-auth-token': 'not-a-token' })).status).toBe(401);
  });
});

describe('toJsonSchema', () => {
  it('turns ModelArts\' draft-04 habits into JSON Schema 2020-12', () => {
    expect(toJsonSchema({ type: 'array', items: [{ type: 'string' }, { type: 'number' }] })).toEqual({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] });
    expect(toJsonSchema({ type: 'object', properties: { a: { type: 'string', required: true }, b: { type: 'file' } }, required: ['c'] })).toEqual({
      type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' } }, required: ['c', 'a'],
    });
    expect(toJsonSchema('not a schema')).toEqual({});
  });
});
