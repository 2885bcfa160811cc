/**
 * The process runtime's working area, outside Anvil's data directory:
 *
 *   <runDir>/                     root, 0711 (nobody can list instance ids)
 *     server/                     read-only copy of server/runtimes/python (the repository may sit under /root)
 *     instances/<instanceId>/     root:<instance group>, 0750: only that instance gets in
 *       model/                    read-only copy of the imported model (files 0444, folders 0555)
 *       tmp/                      the instance's scratch space (TMPDIR and HOME), owned by the instance user
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { TInstanceUser } from './instance-identity';

export type TInstanceDir = { dir: string; modelDir: string; scratchDir: string };

export class RunDir {
  readonly serverDir: string;
  private readonly instancesDir: string;

  constructor(readonly root: string) {
    this.serverDir = path.join(root, 'server');
    this.instancesDir = path.join(root, 'instances');
  }

  /** Creates the area (refusing one that another user planted) and refreshes the model server's copy. */
  prepare(serverSource: string): void {
    for (const dir of [this.root, this.instancesDir]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || st.uid !== process.getuid?.()) {
        throw new Error(`ANVIL_RUN_DIR: ${dir} must be a directory owned by Anvil's user; remove it or choose another path`);
      }
      fs.chmodSync(dir, 0o711);
    }
    removeTree(this.serverDir);
    copyReadOnly(serverSource, this.serverDir, (name) => name === '__pycache__');
  }

  /**
   * Creates an instance's folder with its read-only model copy and its scratch space. Asynchronous:
   * a model on another file system than the run directory is really copied, which must not block
   * the event loop.
   */
  async createInstance(instanceId: string, modelSource: string, user: TInstanceUser | null): Promise<TInstanceDir> {
    const dir = path.join(this.instancesDir, instanceId);
    removeTree(dir);
    fs.mkdirSync(dir, { mode: 0o700 });
    const modelDir = path.join(dir, 'model');
    const scratchDir = path.join(dir, 'tmp');
    // Hard links when the data directory shares the file system: no copy of a large model per instance.
    await copyReadOnlyAsync(modelSource, modelDir);
    fs.mkdirSync(scratchDir, { mode: 0o700 });
    if (user) {
      fs.chownSync(scratchDir, user.uid, user.gid);
      fs.chownSync(dir, 0, user.gid);
      fs.chmodSync(dir, 0o750);
    }
    return { dir, modelDir, scratchDir };
  }

  removeInstance(instanceId: string): void {
    removeTree(path.join(this.instancesDir, instanceId));
  }

  /** Anvil shutdown: nothing of the run directory is kept. */
  remove(): void {
    removeTree(this.root);
  }

  /** Anvil start: removes the folders of instances a previous process left. */
  reapLeftovers(): void {
    for (const name of fs.readdirSync(this.instancesDir)) removeTree(path.join(this.instancesDir, name));
  }
}

/** Copies a tree as read-only files (0444) and folders (0555) owned by Anvil's user; links and special files are skipped. */
function copyReadOnly(src: string, dst: string, skip: (name: string) => boolean): void {
  fs.mkdirSync(dst, { mode: 0o700 });
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) copyReadOnly(from, to, skip);
    else if (entry.isFile()) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o444);
    }
  }
  fs.chmodSync(dst, 0o555);
}

/** Like copyReadOnly, hard-linking files where it can (the imported model is never changed in place). */
async function copyReadOnlyAsync(src: string, dst: string): Promise<void> {
  await fsp.mkdir(dst, { mode: 0o700 });
  for (const entry of await fsp.readdir(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) await copyReadOnlyAsync(from, to);
    else if (entry.isFile()) {
      await fsp.link(from, to).catch(() => fsp.copyFile(from, to));
      await fsp.chmod(to, 0o444);
    }
  }
  await fsp.chmod(dst, 0o555);
}

/** rm -rf that also works for a non-root owner of read-only folders. */
function removeTree(dir: string): void {
  const makeWritable = (d: string) => {
    let entries: fs.Dirent[];
    try {
      fs.chmodSync(d, 0o700);
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) makeWritable(path.join(d, e.name));
  };
  if (!fs.existsSync(dir)) return;
  if (process.getuid?.() !== 0) makeWritable(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
