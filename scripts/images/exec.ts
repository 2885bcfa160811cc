/** Child processes for the image build: captured output, failures that show what the tool said, timed steps. */
import { spawn, spawnSync } from 'node:child_process';

export class BuildError extends Error {}

export type TRunOptions = { input?: NodeJS.ReadableStream; env?: NodeJS.ProcessEnv; cwd?: string };

/** Runs `cmd args`, resolving to its stdout; rejects with the tail of its output when it fails. */
export function run(cmd: string, args: string[], opts: TRunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    if (opts.input && child.stdin) opts.input.pipe(child.stdin);
    child.on('error', (e) => reject(new BuildError(`${cmd} could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      const tail = (err.trim() || out.trim()).split('\n').slice(-25).join('\n');
      reject(new BuildError(`${cmd} ${args.slice(0, 3).join(' ')}… failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** `tar -C dir -c . | cmd args`: streams a directory tree into a command without a temporary archive. */
export async function pipeTarInto(dir: string, cmd: string, args: string[]): Promise<string> {
  const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (b: Buffer) => (tarErr += b.toString()));
  const tarDone = new Promise<void>((resolve, reject) =>
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new BuildError(`tar of ${dir} failed (exit ${code}): ${tarErr.trim()}`)))),
  );
  const [out] = await Promise.all([run(cmd, args, { input: tar.stdout }), tarDone]);
  return out;
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export type TStepRecord = { name: string; seconds: number; note: string };

/** Times each step and prints it as it ends, so a slow build shows where the time goes. */
export class StepLog {
  readonly steps: TStepRecord[] = [];

  async step<T>(name: string, fn: () => Promise<T>, note: (result: T) => string = () => ''): Promise<T> {
    const started = performance.now();
    process.stdout.write(`• ${name} …\n`);
    const result = await fn();
    const record = { name, seconds: (performance.now() - started) / 1000, note: note(result) };
    this.steps.push(record);
    process.stdout.write(`  done in ${record.seconds.toFixed(1)} s${record.note ? ` (${record.note})` : ''}\n`);
    return result;
  }
}
