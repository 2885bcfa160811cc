import { describe, expect, it } from 'vitest';
import { exampleBody, fileFields, flattenSchema } from './api-fields';
import { EVENT_MESSAGES, formatEventMessage } from './events';
import { ZResourceNameSchema } from './names';
import { ZCreateServiceSchema } from './services';
import { nextVersion } from './versions';

describe('resource names (guide §2.2)', () => {
  it('accepts 1-64 letters, Chinese, digits, - and _', () => {
    for (const ok of ['iris', '鸢尾花-分类_v2', 'a'.repeat(64)]) expect(ZResourceNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'a'.repeat(65), 'has space', 'a.b', 'a/b']) expect(ZResourceNameSchema.safeParse(bad).success).toBe(false);
  });
});

describe('online service form (guide §3.1.1)', () => {
  const base = { name: 's', appId: 'x', flavor: 'cpu.1u2g' };
  it('defaults: auto-stop on after 1 hour, 1 instance, 20-minute timeout, 100% traffic', () => {
    expect(ZCreateServiceSchema.parse(base)).toMatchObject({ autoStop: { enabled: true, hours: 1 }, instanceCount: 1, deployTimeoutMinutes: 20, trafficWeight: 100 });
  });
  it('bounds the deploy timeout to 3-120 minutes and custom auto-stop to 1-24 hours', () => {
    for (const m of [2, 121, 3.5]) expect(ZCreateServiceSchema.safeParse({ ...base, deployTimeoutMinutes: m }).success).toBe(false);
    for (const h of [0, 25, 1.5]) expect(ZCreateServiceSchema.safeParse({ ...base, autoStop: { enabled: true, hours: h } }).success).toBe(false);
    expect(ZCreateServiceSchema.safeParse({ ...base, deployTimeoutMinutes: 120, autoStop: { enabled: true, hours: 24 } }).success).toBe(true);
  });
  it('refuses reserved and duplicate environment variables', () => {
    expect(ZCreateServiceSchema.safeParse({ ...base, envs: [{ key: 'PORT', value: '1' }] }).success).toBe(false);
    expect(ZCreateServiceSchema.safeParse({ ...base, envs: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] }).success).toBe(false);
  });
});

describe('event messages', () => {
  it('carry the exact English of the guide and the same number of placeholders in Chinese', () => {
    expect(formatEventMessage('S25', ['iris'], 'en')).toBe('Service iris started successfully.');
    expect(formatEventMessage('A8', ['model_type'], 'en')).toBe('Invalid model_type in config.json.');
    expect(formatEventMessage('S25', ['iris'], 'zh')).toBe('服务iris启动成功。');
    expect(formatEventMessage('A10', ['Model', 'big.bin', '20'], 'zh')).toBe('Model大于20G，无法导入。');
    // S15 (auto-stop countdown) is rendered when auto-stop enforcement lands; its Chinese has no xxx.
    for (const [code, m] of Object.entries(EVENT_MESSAGES).filter(([c]) => c !== 'S15')) {
      const args = (m.en.match(/%[sd]/g) ?? []).map((_, i) => `<${i}>`);
      const zh = formatEventMessage(code, args, 'zh');
      expect({ code, leftover: zh.includes('xxx') }).toEqual({ code, leftover: false });
      expect({ code, en: formatEventMessage(code, args, 'en').includes('%') }).toEqual({ code, en: false });
    }
  });
});

describe('apis schemas', () => {
  const predict = {
    type: 'object',
    properties: { data: { type: 'object', properties: { req_data: { type: 'array', items: [{ type: 'object', properties: { x: { type: 'number' } } }] } } } },
  };
  it('flattens nested parameters and builds an example body', () => {
    expect(flattenSchema(predict).map((f) => f.name)).toEqual(['data.req_data[].x']);
    expect(exampleBody(predict)).toEqual({ data: { req_data: [{ x: 0 }] } });
  });
  it('marks a parameter required only when it and all its parents are listed in `required`', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'object', required: ['x'], properties: { x: { type: 'string' }, y: { type: 'number' } } }, b: { type: 'string' } },
    };
    expect(flattenSchema(schema).map((f) => [f.name, f.required])).toEqual([['a.x', true], ['a.y', false], ['b', false]]);
  });
  it('finds file inputs', () => {
    expect(fileFields({ type: 'object', properties: { images: { type: 'file' }, note: { type: 'string' } } })).toEqual(['images']);
  });
});

describe('next version', () => {
  it('bumps the patch of the highest version, comparing numerically', () => {
    expect(nextVersion([])).toBe('0.0.1');
    expect(nextVersion(['0.0.1'])).toBe('0.0.2');
    expect(nextVersion(['0.0.9', '0.0.10', '0.0.2'])).toBe('0.0.11');
    expect(nextVersion(['1.2.3', '0.9.9'])).toBe('1.2.4');
  });
});
