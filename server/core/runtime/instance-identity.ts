/**
 * Who model code runs as. When Anvil runs as root, every instance runs as an unprivileged user
 * (`ANVIL_INSTANCE_USER`) with a group of its own, so instances cannot read each other's files or
 * /proc entries; otherwise model code runs with Anvil's own permissions.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export type TInstanceUser = { name: string; uid: number; gid: number };

/** Per-instance groups are numbered from here: far above the ranges hosts and directory services hand out (and below 2^31, Node's limit). */
export const INSTANCE_GID_BASE = 2_100_000_000;
const INSTANCE_GID_SLOTS = 40_000_000;

export const UNCONFINED_NOTE =
  "the process runtime runs model code with Anvil's own permissions; use the container runtime for untrusted models";

/** True when this process can switch instances to another user. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Resolves a user name (or numeric id) to its uid and primary gid through `id`, so NSS users work too. */
export function resolveUser(name: string): TInstanceUser {
  const read = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  try {
    const uid = read('-u');
    const gid = read('-g');
    if (uid === 0) throw new Error('it is root');
    return { name, uid, gid };
  } catch (e) {
    const reason = e instanceof Error && 'stderr' in e ? String((e as { stderr: unknown }).stderr).trim() : (e as Error).message;
    throw new Error(`ANVIL_INSTANCE_USER: cannot run model instances as "${name}": ${reason || 'unknown user'}`);
  }
}

/**
 * Hands out a group id per instance, never reusing one while Anvil runs, so a process a stopped
 * instance left behind never shares a group with a later instance. The first id is random so a
 * restarted Anvil does not hand out the ids of the previous run again.
 */
export class InstanceGroups {
  private next = Math.floor(Math.random() * INSTANCE_GID_SLOTS);

  acquire(): number {
    const gid = INSTANCE_GID_BASE + (this.next % INSTANCE_GID_SLOTS);
    this.next++;
    return gid;
  }
}

/**
 * Checks that the instance user can run `python`, read `serverScript` (the run directory's copy of
 * the model server: its parents must be traversable) and import numpy (the examples and most models
 * need it). Returns what is wrong, or undefined.
 */
export function checkPython(python: string, user: TInstanceUser | null, env: Record<string, string>, serverScript?: string): string | undefined {
  const run = (args: string[]) =>
    spawnSync(python, args, {
      cwd: '/',
      env: { ...env, HOME: '/', PYTHONDONTWRITEBYTECODE: '1' } as Record<string, string> as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 30_000,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  const as = user ? ` as user ${user.name}` : '';
  const lastLine = (r: ReturnType<typeof run>) => r.stderr.trim().split('\n').at(-1) || `exit code ${r.status}`;
  const numpy = run(['-c', 'import numpy']);
  if (numpy.error) return `${python} cannot be started${as}: ${numpy.error.message}; set ANVIL_PYTHON to a python it can run`;
  if (serverScript) {
    const readable = run(['-S', '-c', 'import sys; open(sys.argv[1]).close()', serverScript]);
    if (readable.status !== 0) return `${python}${as} cannot read ${serverScript} (${lastLine(readable)}); choose an ANVIL_RUN_DIR it can reach`;
  }
  if (numpy.status !== 0) return `${python}${as} cannot import numpy (${lastLine(numpy)}); models that use numpy will fail`;
  return undefined;
}
