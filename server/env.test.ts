import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnv } from './env';

describe('readEnv: what reaches model instances', () => {
  it("passes only PATH and locale of Anvil's environment to instances, never its secrets, HOME or TMPDIR", () => {
    const env = readEnv({
      PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC', HOME: '/root', TMPDIR: '/tmp/anvil', ANVIL_ADMIN_PASSWORD: 'secret-pass', AWS_SECRET_ACCESS_KEY: 'k',
    });
    expect(env.instanceBaseEnv).toEqual({ PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC' });
  });

  it('runs instances as nobody, in a run directory per data directory, outside it', () => {
    const a = readEnv({ ANVIL_DATA_DIR: '/srv/a' });
    const b = readEnv({ ANVIL_DATA_DIR: '/srv/b' });
    expect(a.ANVIL_INSTANCE_USER).toBe('nobody');
    expect(path.basename(a.runDir)).toMatch(/^anvil-run-[0-9a-f]{12}$/);
    expect(a.runDir).not.toBe(b.runDir);
    expect(readEnv({ ANVIL_RUN_DIR: 'run', ANVIL_INSTANCE_USER: 'anvil-models' })).toMatchObject({ runDir: path.resolve('run'), ANVIL_INSTANCE_USER: 'anvil-models' });
  });

  it('refuses a run directory inside the data directory, naming the variable', () => {
    expect(() => readEnv({ ANVIL_DATA_DIR: '/srv/a', ANVIL_RUN_DIR: '/srv/a/run' })).toThrow(/ANVIL_RUN_DIR: must be outside ANVIL_DATA_DIR/);
  });

  it("defaults to Debian's python as root (the instance user cannot run root's pyenv), else python3 on PATH", () => {
    expect(readEnv({}).ANVIL_PYTHON).toBe(process.getuid?.() === 0 ? '/usr/bin/python3' : 'python3');
    expect(readEnv({ ANVIL_PYTHON: '/opt/py/bin/python3' }).ANVIL_PYTHON).toBe('/opt/py/bin/python3');
  });
});
