import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPython, INSTANCE_GID_BASE, InstanceGroups, resolveUser } from './instance-identity';

const isRoot = process.getuid?.() === 0;
const PATH = '/usr/local/bin:/usr/bin:/bin';

describe('resolveUser', () => {
  it('resolves nobody to its uid and primary group', () => {
    expect(resolveUser('nobody')).toMatchObject({ name: 'nobody', uid: 65534 });
  });

  it('refuses root and unknown users, naming ANVIL_INSTANCE_USER', () => {
    expect(() => resolveUser('root')).toThrow(/^ANVIL_INSTANCE_USER: cannot run model instances as "root": it is root/);
    expect(() => resolveUser('no-such-user-here')).toThrow(/^ANVIL_INSTANCE_USER: cannot run model instances as "no-such-user-here": .*no such user/);
  });
});

describe('InstanceGroups', () => {
  it('never hands out the same group twice', () => {
    const groups = new InstanceGroups();
    const gids = Array.from({ length: 1000 }, () => groups.acquire());
    expect(new Set(gids).size).toBe(1000);
    expect(gids.every((g) => g >= INSTANCE_GID_BASE && g < 2 ** 31)).toBe(true);
  });
});

describe.runIf(isRoot)('checkPython (as root, for the instance user)', () => {
  const nobody = isRoot ? resolveUser('nobody') : null;

  it("accepts Debian's python with numpy for nobody", () => {
    expect(checkPython('/usr/bin/python3', nobody, { PATH })).toBeUndefined();
  });

  it('says clearly when the instance user cannot start the python', () => {
    expect(checkPython('/no/such/python3', nobody, { PATH })).toMatch(/^\/no\/such\/python3 cannot be started as user nobody: .*ENOENT/);
  });

  it("says clearly when the python sits where the instance user cannot reach it (a pyenv under /root)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'root-only-'));
    fs.symlinkSync('/usr/bin/python3', path.join(home, 'python3'));
    try {
      expect(checkPython(path.join(home, 'python3'), nobody, { PATH })).toMatch(/cannot be started as user nobody: .*EACCES; set ANVIL_PYTHON/);
      expect(checkPython(path.join(home, 'python3'), null, { PATH })).toBeUndefined(); // root itself can
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('says clearly when the instance user cannot reach the model server in the run directory', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'root-only-'));
    fs.writeFileSync(path.join(home, 'anvil_model_server.py'), '');
    try {
      expect(checkPython('/usr/bin/python3', nobody, { PATH }, path.join(home, 'anvil_model_server.py'))).toMatch(
        new RegExp(`^/usr/bin/python3 as user nobody cannot read ${home}/anvil_model_server.py \\(PermissionError: .+\\); choose an ANVIL_RUN_DIR it can reach$`),
      );
      expect(checkPython('/usr/bin/python3', null, { PATH }, path.join(home, 'anvil_model_server.py'))).toBeUndefined();
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('says clearly when the python cannot import numpy', () => {
    // /bin/sh stands in for an interpreter without numpy: `-c 'import numpy'` fails there too.
    expect(checkPython('/bin/sh', nobody, { PATH })).toMatch(/^\/bin\/sh as user nobody cannot import numpy \(.+\); models that use numpy will fail$/);
  });
});
