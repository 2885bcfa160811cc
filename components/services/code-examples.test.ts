/**
 * The calling guide's Python and JavaScript examples run for real: the JavaScript one with Node's
 * fetch against a local server, the Python one with a stand-in `requests` module that prints what it
 * was asked to send. Hostile urls and field names (from a model's config.json) arrive as text and run nothing.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchExample, pythonExample, pythonLiteral } from './code-examples';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-examples-'));
const witness = path.join(dir, 'pwned');
const hostile = [`"); require("fs").writeFileSync(${JSON.stringify(witness)}, "x"); ("`, `\\"); open(${JSON.stringify(witness)}, "w"); ("`, "it's", 'a\nb', '${process.exit(3)}', '\u2028'];
const JSON_API = { method: 'POST', request: { type: 'object', properties: { text: { type: 'string' }, n: { type: 'number' }, ok: { type: 'boolean' }, tags: { type: 'array', items: [{ type: 'string' }] }, none: {} } } };

// A stand-in for `requests`: prints the call as JSON instead of sending it.
fs.writeFileSync(path.join(dir, 'requests.py'), `import json
class _R:
    status_code = 200
    text = ""
def request(method, url, headers=None, json=None, files=None, timeout=None):
    import json as j
    print(j.dumps({"method": method, "url": url, "headers": headers, "json": json, "files": sorted(files) if files else None, "timeout": timeout}))
    return _R()
`);
const runPython = (code: string) => {
  fs.writeFileSync(path.join(dir, 'call.py'), code);
  return JSON.parse(execFileSync('python3', ['call.py'], { cwd: dir, env: { ...process.env, TOKEN: 'tok', PYTHONPATH: dir }, encoding: 'utf8' }).split('\n')[0]);
};

let server: http.Server;
let origin = '';
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
/** Runs the example in a child Node (asynchronously: the server answering it is in this process). */
const runNode = async (code: string) => {
  fs.writeFileSync(path.join(dir, 'call.mjs'), code);
  return (await promisify(execFile)(process.execPath, ['call.mjs'], { cwd: dir, env: { ...process.env, TOKEN: 'tok' }, encoding: 'utf8' })).stdout;
};

describe('the JavaScript example', () => {
  it('sends the example body with the token, and prints the answer', async () => {
    expect((await runNode(fetchExample(`${origin}/v1/infers/s`, JSON_API))).trim()).toBe('200 {"ok":true}');
    const got = seen.at(-1)!;
    expect([got.method, got.url, got.headers['x-auth-token'], got.headers['content-type']]).toEqual(['POST', '/v1/infers/s', 'tok', 'application/json']);
    expect(JSON.parse(got.body)).toEqual({ text: '', n: 0, ok: false, tags: [''], none: null });
  });

  it('uploads a file field as multipart, and takes another credential header', async () => {
    fs.writeFileSync('/tmp/anvil-example-upload.png', 'PNGDATA');
    const api = { method: 'PUT', request: { type: 'object', properties: { images: { type: 'file' } } } };
    await runNode(fetchExample(`${origin}/up`, api, { header: 'Authorization', env: 'TOKEN', prefix: 'Bearer ' }).replace('/path/to/file.png', '/tmp/anvil-example-upload.png'));
    const got = seen.at(-1)!;
    expect([got.method, got.headers.authorization]).toEqual(['PUT', 'Bearer tok']);
    expect(got.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(got.body).toContain('name="images"; filename="file.png"');
    expect(got.body).toContain('PNGDATA');
  });

  it('sends hostile urls and field names as text, running nothing', async () => {
    for (const bad of hostile) {
      const api = { method: 'POST', request: { type: 'object', properties: { [bad]: { type: 'string' } } } };
      await runNode(fetchExample(`${origin}/v1/infers/s/${encodeURIComponent(bad)}`, api));
      expect(JSON.parse(seen.at(-1)!.body)).toEqual({ [bad]: '' });
    }
    expect(fs.existsSync(witness)).toBe(false);
  });
});

describe('the Python example', () => {
  it('passes method, url, the token header and the example body (as Python values) to requests', () => {
    expect(runPython(pythonExample('http://h/v1/infers/s', JSON_API))).toEqual({
      method: 'POST', url: 'http://h/v1/infers/s', headers: { 'X-Auth-Token': 'tok' }, json: { text: '', n: 0, ok: false, tags: [''], none: null }, files: null, timeout: 60,
    });
  });

  it('uploads file fields, and reads hostile urls and field names back as text', () => {
    expect(runPython(pythonExample('http://h/', { method: 'POST', request: { type: 'object', properties: { images: { type: 'file' } } } }).replace('/path/to/file.png', __filename))).toMatchObject({ files: ['images'] });
    for (const bad of hostile) {
      const api = { method: 'POST', request: { type: 'object', properties: { [bad]: { type: 'string' } } } };
      expect(runPython(pythonExample(`http://h/${bad}`, api, { header: 'Authorization', env: 'TOKEN', prefix: 'Bearer ' }))).toMatchObject({ url: `http://h/${bad}`, headers: { Authorization: 'Bearer tok' }, json: { [bad]: '' } });
    }
    expect(fs.existsSync(witness)).toBe(false);
  });

  it('writes JSON values as Python literals', () => {
    expect(pythonLiteral({ a: [true, false, null, 1.5, 'x'] })).toBe('{\n    "a": [\n        True,\n        False,\n        None,\n        1.5,\n        "x",\n    ],\n}');
  });
});
