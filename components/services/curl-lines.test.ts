/** The calling guide's lines run in a real `sh`, with `curl` replaced by a function that prints the words it got. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiUrl, callCurl, callCurlWith, shellQuote, sseCurl, tokenCurl, websocketExample } from './curl-lines';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-curl-'));
const witness = path.join(dir, 'pwned');

/** Runs `line` in sh and returns the arguments curl would have received. */
function curlArgs(line: string): string[] {
  const out = execFileSync('sh', ['-c', `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\nTOKEN=tok\n${line}`], { cwd: dir, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const hostile = [`$(touch ${witness})`, '`touch pwned`', "it's; rm -rf x", 'a b\tc\nd', '"$HOME"', '\\', '*', '-'];

describe('shell quoting of the calling guide', () => {
  it('turns any value into one word that sh reads back unchanged', () => {
    for (const value of [...hostile, '', "''"]) {
      expect(execFileSync('sh', ['-c', `printf '%s' ${shellQuote(value)}`], { cwd: dir, encoding: 'utf8' })).toBe(value);
    }
    expect(fs.existsSync(witness)).toBe(false);
  });

  it('passes a hostile API url and file field names to curl as they are, running nothing', () => {
    for (const bad of hostile) {
      const api = { url: `/${bad}`, method: 'POST', request: { type: 'object', properties: { [bad]: { type: 'file' } } } };
      const url = apiUrl('http://127.0.0.1:3000', 'svc', api);
      expect(curlArgs(callCurl(url, api))).toEqual(['-X', 'POST', `http://127.0.0.1:3000/v1/infers/svc/${bad}`, '-H', 'X-Auth-Token: tok', '-F', `${bad}=@/path/to/file.png`]);
    }
    expect(fs.existsSync(witness)).toBe(false);
  });

  it('passes a JSON example body and a token request through intact', () => {
    const api = { url: '/', method: 'POST', request: { type: 'object', properties: { "it's": { type: 'string' } } } };
    expect(curlArgs(callCurl(apiUrl('http://h', 's', api), api))).toEqual(['-X', 'POST', 'http://h/v1/infers/s', '-H', 'X-Auth-Token: tok', '-H', 'Content-Type: application/json', '-d', `{"it's":""}`]);
    const token = tokenCurl('http://h', { userName: "o'neil", domainName: 'anvil', projectName: '$(x)' });
    const body = JSON.parse(curlArgs(token.replace(/^TOKEN=\$\((.*?) \| awk.*$/, '$1')).at(-1)!);
    expect(body.auth.identity.password.user.name).toBe("o'neil");
    expect(body.auth.scope.project.name).toBe('$(x)');
  });
});

describe('calls with the other credentials', () => {
  /** Runs `line` in sh with `node` and `curl` replaced by a function that prints the words it got. */
  const argsOf = (line: string, program: 'curl' | 'node') =>
    execFileSync('sh', ['-c', `${program}() { for a in "$@"; do printf '%s\\0' "$a"; done; }\nSERVICE_TOKEN=svc-tok\n${line}`], { cwd: dir, encoding: 'utf8' }).split('\0').slice(0, -1);

  it('swaps the token for the service token, which the shell expands', () => {
    const api = { url: '/', method: 'POST', request: { type: 'object', properties: { x: { type: 'number' } } } };
    const args = argsOf(callCurlWith('http://h/v1/infers/s', api, 'Authorization: Bearer $SERVICE_TOKEN'), 'curl');
    expect(args.slice(0, 5)).toEqual(['-X', 'POST', 'http://h/v1/infers/s', '-H', 'Authorization: Bearer svc-tok']);
  });

  it('passes a hostile address to the WebSocket and SSE examples as one word, running nothing', () => {
    for (const bad of hostile) {
      const ws = argsOf(websocketExample(`ws://h/v1/infers/s/${bad}`, 'Authorization: Bearer $SERVICE_TOKEN'), 'node');
      expect(ws.slice(2)).toEqual([`ws://h/v1/infers/s/${bad}`, 'Bearer svc-tok']);
      expect(ws[1]).toContain("require('ws')");
      const api = { url: '/', method: 'POST', request: { type: 'object', properties: { text: { type: 'string' } } } };
      expect(argsOf(sseCurl(`http://h/v1/infers/s/${bad}`, api, 'Authorization: Bearer $SERVICE_TOKEN'), 'curl')).toEqual([
        '-X', 'POST', `http://h/v1/infers/s/${bad}`, '-H', 'Authorization: Bearer svc-tok', '-H', 'Content-Type: application/json', '-d', '{"text":""}',
        '-N', '-H', 'Accept: text/event-stream',
      ]);
    }
    expect(fs.existsSync(witness)).toBe(false);
  });
});
