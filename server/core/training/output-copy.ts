/**
 * Copies what a training run wrote into object storage. The folder was writable by the job's code,
 * so nothing in it is trusted:
 *
 * - Where the job ran as another user, the folder is read by a helper process running as that
 *   user: whatever the code left there (links, folders swapped for links while they are read), it
 *   can only read what the job itself could. Anvil writes what the helper streams, under names it
 *   checks, into a staging folder of its own.
 * - Otherwise (a container that has ended, or an unconfined process runtime where the job is
 *   Anvil's own user anyway) it is read here, never following a link.
 *
 * Either way: regular files and folders only, at most MAX_OUTPUT_BYTES and MAX_OUTPUT_ENTRIES, each
 * file read to the size it had when listed, within MAX_COPY_MS.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const MAX_OUTPUT_BYTES = 5 * 1024 ** 3;
export const MAX_OUTPUT_ENTRIES = 100_000;
export const MAX_COPY_MS = 10 * 60_000;
const MAX_DEPTH = 32;

export type TCopyLimits = { maxBytes: number; maxEntries: number; timeoutMs: number };
export const DEFAULT_COPY_LIMITS: TCopyLimits = { maxBytes: MAX_OUTPUT_BYTES, maxEntries: MAX_OUTPUT_ENTRIES, timeoutMs: MAX_COPY_MS };
export type TCopyResult = { files: number; bytes: number; skipped: string[] };
/** Who reads the output (the job's user and group) and with which python (the job's). */
export type TReadAs = { uid: number; gid: number; python: string };

/** Copies `src` into `dst` (created), as `readAs` when given; throws past the limits. */
export async function copyOutput(src: string, dst: string, readAs?: TReadAs, limits: TCopyLimits = DEFAULT_COPY_LIMITS): Promise<TCopyResult> {
  await fsp.mkdir(dst, { recursive: true });
  return readAs ? copyThroughHelper(src, dst, readAs, limits) : copyHere(src, dst, limits);
}

/** The walk in this process: for a folder nothing else writes to any more. */
async function copyHere(src: string, dst: string, limits: TCopyLimits): Promise<TCopyResult> {
  const result: TCopyResult = { files: 0, bytes: 0, skipped: [] };
  const deadline = Date.now() + limits.timeoutMs;
  let entries = 0;
  const walk = async (from: string, to: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new Error(`the output is nested deeper than ${MAX_DEPTH} folders`);
    for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
      if (++entries > limits.maxEntries) throw new Error(`the output holds more than ${limits.maxEntries} files and folders`);
      if (Date.now() > deadline) throw new Error(`saving the output took longer than ${Math.round(limits.timeoutMs / 60_000)} minutes`);
      const name = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        await fsp.mkdir(path.join(to, entry.name));
        await walk(path.join(from, entry.name), path.join(to, entry.name), name, depth + 1);
        continue;
      }
      if (!entry.isFile()) {
        result.skipped.push(name);
        continue;
      }
      const file = await fsp.open(path.join(from, entry.name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW).catch(() => undefined);
      if (!file) {
        result.skipped.push(name);
        continue;
      }
      try {
        const st = await file.stat();
        if (!st.isFile() || st.nlink > 1) {
          result.skipped.push(name);
          continue;
        }
        result.bytes += st.size;
        if (result.bytes > limits.maxBytes) throw new Error(`the output is larger than ${Math.round(limits.maxBytes / 1024 ** 3)} GB`);
        // Read to the size it had: a file that grows meanwhile does not pass the cap.
        if (st.size === 0) await fsp.writeFile(path.join(to, entry.name), '', { flag: 'wx' });
        else await pipeline(file.createReadStream({ autoClose: false, start: 0, end: st.size - 1 }), fs.createWriteStream(path.join(to, entry.name), { flags: 'wx' }));
        result.files++;
      } finally {
        await file.close();
      }
    }
  };
  await walk(src, dst, '', 0);
  return result;
}

/**
 * The helper, run as the job's user with the job's own python (nothing read from Anvil's files):
 * walks the folder without following links and writes, for each entry, a JSON line
 * ({"t": "d"|"f"|"s", "p": …, "n": …}) followed, for a file, by exactly n bytes.
 */
const HELPER = `
import json, os, stat, sys
out = sys.stdout.buffer
def line(o):
    out.write((json.dumps(o) + "\\n").encode())
def walk(d, rel, depth):
    if depth > ${MAX_DEPTH}:
        raise Exception("the output is nested deeper than ${MAX_DEPTH} folders")
    with os.scandir(d) as entries:
        for e in entries:
            try:
                e.name.encode("utf-8")
            except UnicodeEncodeError:
                continue
            p = rel + "/" + e.name if rel else e.name
            if e.is_dir(follow_symlinks=False):
                line({"t": "d", "p": p})
                walk(os.path.join(d, e.name), p, depth + 1)
                continue
            fd = None
            if e.is_file(follow_symlinks=False):
                try:
                    fd = os.open(os.path.join(d, e.name), os.O_RDONLY | os.O_NOFOLLOW)
                except OSError:
                    fd = None
            if fd is None:
                line({"t": "s", "p": p})
                continue
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
                os.close(fd)
                line({"t": "s", "p": p})
                continue
            line({"t": "f", "p": p, "n": st.st_size})
            left = st.st_size
            while left > 0:
                b = os.read(fd, min(1 << 20, left)) or bytes(min(1 << 20, left))
                out.write(b)
                left -= len(b)
            os.close(fd)
try:
    walk(sys.argv[1], "", 0)
    line({"t": "end"})
except Exception as e:
    line({"t": "err", "m": str(e)})
finally:
    out.flush()
`;

/** A name the helper sent: relative, inside the destination, no empty or dot segments. */
function safeRelative(p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.length > 4096 || p.includes('\0') || p.startsWith('/')) throw new Error('the output listing is malformed');
  const parts = p.split('/');
  if (parts.some((s) => s === '' || s === '.' || s === '..')) throw new Error('the output listing is malformed');
  return parts.join(path.sep);
}

function copyThroughHelper(src: string, dst: string, readAs: TReadAs, limits: TCopyLimits): Promise<TCopyResult> {
  return new Promise((resolve, reject) => {
    const result: TCopyResult = { files: 0, bytes: 0, skipped: [] };
    const child = spawn(readAs.python, ['-I', '-c', HELPER, src], { uid: readAs.uid, gid: readAs.gid, env: { LANG: 'C.UTF-8' } as unknown as NodeJS.ProcessEnv, cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] });
    let settled = false;
    let entries = 0;
    let pending: Buffer = Buffer.alloc(0);
    let file: { fd: number; left: number } | undefined;
    let isEnd = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (file) fs.closeSync(file.fd);
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`saving the output took longer than ${Math.round(limits.timeoutMs / 60_000)} minutes`)), limits.timeoutMs);
    const header = (o: { t?: unknown; p?: unknown; n?: unknown; m?: unknown }) => {
      if (o.t === 'end') return void (isEnd = true);
      if (o.t === 'err') throw new Error(String(o.m ?? 'the output could not be read'));
      const rel = safeRelative(o.p);
      if (++entries > limits.maxEntries) throw new Error(`the output holds more than ${limits.maxEntries} files and folders`);
      if (o.t === 'd') return void fs.mkdirSync(path.join(dst, rel));
      if (o.t === 's') return void result.skipped.push(rel);
      if (o.t !== 'f' || typeof o.n !== 'number' || !Number.isSafeInteger(o.n) || o.n < 0) throw new Error('the output listing is malformed');
      result.bytes += o.n;
      if (result.bytes > limits.maxBytes) throw new Error(`the output is larger than ${Math.round(limits.maxBytes / 1024 ** 3)} GB`);
      // 'wx': a name given twice is refused, never written through.
      file = { fd: fs.openSync(path.join(dst, rel), 'wx', 0o644), left: o.n };
      result.files++;
      if (file.left === 0) {
        fs.closeSync(file.fd);
        file = undefined;
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length > 0 && !isEnd) {
          if (file) {
            const take = Math.min(file.left, pending.length);
            fs.writeSync(file.fd, pending, 0, take);
            file.left -= take;
            pending = pending.subarray(take);
            if (file.left === 0) {
              fs.closeSync(file.fd);
              file = undefined;
            }
            continue;
          }
          const nl = pending.indexOf(0x0a);
          if (nl < 0) {
            if (pending.length > 8192) throw new Error('the output listing is malformed');
            break;
          }
          header(JSON.parse(pending.subarray(0, nl).toString('utf8')));
          pending = pending.subarray(nl + 1);
        }
        if (isEnd && pending.length > 0) throw new Error('the output listing is malformed');
      } catch (e) {
        fail(e instanceof SyntaxError ? new Error('the output listing is malformed') : (e as Error));
      }
    });
    child.on('error', (e) => fail(e));
    child.on('close', () => {
      if (settled) return;
      if (!isEnd || file) return fail(new Error('the output could not be read to its end'));
      settled = true;
      clearTimeout(timer);
      resolve(result);
    });
  });
}
