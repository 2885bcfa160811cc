import { describe, expect, it } from 'vitest';
import { isWebUrl, ZCreateAppSchema } from './apps';

const form = { name: 'iris', sourceUri: 'obs://models/iris' };
const docsError = (url: string) => ZCreateAppSchema.safeParse({ ...form, docs: [{ name: 'doc', url }] }).error?.issues[0];

describe('AI application documentation links (issue 5 §4)', () => {
  it('accepts only http and https, in the form schema and where links are rendered', () => {
    for (const url of ['https://example.com/doc', 'http://10.0.0.1:8080/a?b=c', 'HTTPS://EXAMPLE.COM']) {
      expect(docsError(url)).toBeUndefined();
      expect(isWebUrl(url)).toBe(true);
    }
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', 'ftp://x.example', 'not a url']) {
      expect(docsError(url)).toMatchObject({ path: ['docs', 0, 'url'], message: 'Use an http:// or https:// address.' });
      expect(isWebUrl(url)).toBe(false);
    }
  });
});

describe('options Anvil does not honour are refused, not ignored', () => {
  it('refuses a start command; an empty one is the same as none', () => {
    expect(ZCreateAppSchema.safeParse({ ...form, startCommand: 'sh /home/mind/run.sh' }).error?.issues[0]).toMatchObject({ path: ['startCommand'] });
    expect(ZCreateAppSchema.safeParse({ ...form, startCommand: '  ' }).success).toBe(true);
  });
});
