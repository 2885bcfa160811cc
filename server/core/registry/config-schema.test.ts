import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateModelConfig } from './config-schema';

const valid = {
  model_algorithm: 'predict_analysis',
  model_type: 'Scikit_Learn',
  runtime: 'python3.6',
  apis: [{ url: '/', method: 'post', request: { 'Content-type': 'application/json', data: { type: 'object' } } }],
};
const fieldsOf = (raw: unknown) => validateModelConfig(raw).issues.map((i) => i.field);

describe('config.json validation (guide §4.1.2)', () => {
  it('accepts both example packages', () => {
    for (const name of ['iris', 'digits']) {
      const raw = JSON.parse(fs.readFileSync(`examples/${name}/model/config.json`, 'utf8'));
      expect(validateModelConfig(raw).issues).toEqual([]);
    }
  });

  it('checks model_algorithm: required, starts with a letter, no Chinese or &!"\'<>=, at most 36 characters', () => {
    expect(fieldsOf({ ...valid, model_algorithm: undefined })).toEqual(['model_algorithm']);
    expect(fieldsOf({ ...valid, model_algorithm: '1abc' })).toEqual(['model_algorithm']);
    expect(fieldsOf({ ...valid, model_algorithm: 'a=b' })).toEqual(['model_algorithm']);
    expect(fieldsOf({ ...valid, model_algorithm: '分类' })).toEqual(['model_algorithm']);
    expect(fieldsOf({ ...valid, model_algorithm: 'a'.repeat(37) })).toEqual(['model_algorithm']);
    expect(fieldsOf({ ...valid, model_algorithm: 'a'.repeat(36) })).toEqual([]);
  });

  it('requires a known model_type and a runtime of that engine', () => {
    expect(fieldsOf({ ...valid, model_type: 'Keras' })).toEqual(['model_type']);
    expect(fieldsOf({ ...valid, runtime: 'tf2.1-python3.7' })).toEqual(['runtime']);
  });

  it('maps swr_location on a non-Image model to event A4 and dependencies on Image to A3', () => {
    expect(validateModelConfig({ ...valid, swr_location: 'x' }).issues[0].event).toBe('A4');
    expect(validateModelConfig({ ...valid, model_type: 'Image', swr_location: 'x', dependencies: [{ installer: 'pip', packages: [] }] }).issues[0].event).toBe('A3');
  });

  it('allows one API at url "/" for preset engines, and only JSON for machine-learning engines', () => {
    expect(fieldsOf({ ...valid, apis: [{ url: '/a' }] })).toEqual(['apis[0].url']);
    expect(fieldsOf({ ...valid, apis: [{}, {}] })).toEqual(['apis']);
    expect(fieldsOf({ ...valid, apis: [{ request: { 'Content-type': 'multipart/form-data' } }] })).toEqual(['apis[0].request.Content-type']);
  });

  it('suggests the fix for the guide sample typos', () => {
    const typo = validateModelConfig({ ...valid, apis: [{ response: { 'Content-type': 'applicaton/json' } }] }).issues[0];
    expect(typo.message).toContain('did you mean "application/json"');
    const items = validateModelConfig({ ...valid, apis: [{ response: { data: { type: 'array', item: {} } } }] }).issues[0];
    expect(items.message).toContain('did you mean "items"');
  });

  it('checks dependency restraints and treats empty strings as absent', () => {
    const dep = (pkg: object) => ({ ...valid, dependencies: [{ installer: 'pip', packages: [pkg] }] });
    expect(fieldsOf(dep({ package_name: 'numpy', package_version: '1.16.4', restraint: 'EXACT' }))).toEqual([]);
    expect(fieldsOf(dep({ package_name: 'numpy', package_version: '', restraint: '' }))).toEqual([]);
    expect(fieldsOf(dep({ package_name: 'numpy', package_version: '1.0' }))).toEqual(['dependencies[0].packages[0].restraint']);
    expect(fieldsOf(dep({ package_name: 'numpy', package_version: '1.0', restraint: 'ABOUT' }))).toEqual(['dependencies[0].packages[0].restraint']);
    expect(fieldsOf({ ...valid, dependencies: [{ installer: 'conda', packages: [] }] })).toEqual(['dependencies[0].installer']);
  });

  it('checks health only for Image models, with integer ranges 1..2147483647', () => {
    const image = { model_algorithm: 'x', model_type: 'Image', swr_location: 'img:1' };
    const health = (h: object) => ({ ...image, health: { check_method: 'HTTP', url: '/health', period_seconds: 5, failure_threshold: 3, ...h } });
    expect(fieldsOf(health({}))).toEqual([]);
    expect(fieldsOf(health({ period_seconds: '10' }))).toEqual([]);
    expect(fieldsOf(health({ period_seconds: 0 }))).toEqual(['health.period_seconds']);
    expect(fieldsOf(health({ failure_threshold: 2147483648 }))).toEqual(['health.failure_threshold']);
    expect(fieldsOf(health({ check_method: 'EXEC' }))).toEqual(['health.command']);
    expect(fieldsOf({ ...valid, health: { check_method: 'HTTP', url: '/h', period_seconds: 1, failure_threshold: 1 } })).toEqual(['health']);
  });

});
