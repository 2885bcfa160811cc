import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_RUNTIME_REPO, baseRuntimeImage, serverFiles, serverHash } from './base-images';

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-hash-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const SERVER = { 'anvil_model_server.py': 'print(1)\n', 'model_service/__init__.py': '', 'model_service/model_service.py': 'class A: pass\n' };

describe('serverHash', () => {
  it('is 12 hex digits, the same for the same files wherever they are', () => {
    const hash = serverHash(tree(SERVER));
    expect(hash).toMatch(/^[0-9a-f]{12}$/);
    expect(serverHash(tree(SERVER))).toBe(hash);
  });

  it('ignores byte-code caches', () => {
    const withCache = tree({ ...SERVER, '__pycache__/x.cpython-311.pyc': 'junk', 'model_service/__pycache__/y.pyc': 'junk', 'stray.pyc': 'junk' });
    expect(serverHash(withCache)).toBe(serverHash(tree(SERVER)));
    expect(serverFiles(withCache)).toEqual(['anvil_model_server.py', 'model_service/__init__.py', 'model_service/model_service.py']);
  });

  it('changes when a file changes, is added, or is renamed', () => {
    const hash = serverHash(tree(SERVER));
    expect(serverHash(tree({ ...SERVER, 'anvil_model_server.py': 'print(2)\n' }))).not.toBe(hash);
    expect(serverHash(tree({ ...SERVER, 'model_service/log.py': '' }))).not.toBe(hash);
    const { 'model_service/__init__.py': _, ...rest } = SERVER;
    expect(serverHash(tree({ ...rest, 'model_service/__init2__.py': '' }))).not.toBe(hash);
  });

  it('does not confuse bytes moved between a path and a content', () => {
    expect(serverHash(tree({ ab: 'c' }))).not.toBe(serverHash(tree({ a: 'bc' })));
  });

  it('tags the base runtime image', () => {
    const dir = tree(SERVER);
    expect(baseRuntimeImage(dir)).toBe(`${BASE_RUNTIME_REPO}:${serverHash(dir)}`);
  });

  it('hashes the real model server', () => {
    expect(serverFiles(path.resolve('server/runtimes/python'))).toContain('model_service/model_service.py');
  });
});
