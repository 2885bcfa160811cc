/**
 * Copies what a training run wrote into object storage. The folder was writable by the job's code,
 * so nothing in it is trusted: links and special files are skipped (a link to a file of Anvil's
 * would otherwise be read with Anvil's rights), depth and total size are capped.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const MAX_OUTPUT_BYTES = 5 * 1024 ** 3;
const MAX_DEPTH = 32;

export type TCopyResult = { files: number; bytes: number; skipped: string[] };

/** Copies regular files and folders of `src` into `dst` (created); throws past `maxBytes`. */
export async function copyOutput(src: string, dst: string, maxBytes = MAX_OUTPUT_BYTES): Promise<TCopyResult> {
  const result: TCopyResult = { files: 0, bytes: 0, skipped: [] };
  const walk = async (from: string, to: string, rel: string, depth: number): Promise<void> => {
    await fsp.mkdir(to, { recursive: true });
    if (depth > MAX_DEPTH) throw new Error(`the output is nested deeper than ${MAX_DEPTH} folders`);
    for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
      const name = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(path.join(from, entry.name), path.join(to, entry.name), name, depth + 1);
      else if (entry.isFile()) {
        // Opened without following a link: the file could have been swapped for one since it was listed.
        const file = await fsp.open(path.join(from, entry.name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW).catch(() => undefined);
        if (!file) {
          result.skipped.push(name);
          continue;
        }
        try {
          const st = await file.stat();
          if (!st.isFile()) {
            result.skipped.push(name);
            continue;
          }
          result.bytes += st.size;
          if (result.bytes > maxBytes) throw new Error(`the output is larger than ${Math.round(maxBytes / 1024 ** 3)} GB`);
          await pipeline(file.createReadStream({ autoClose: false }), fs.createWriteStream(path.join(to, entry.name)));
          result.files++;
        } finally {
          await file.close();
        }
      } else result.skipped.push(name);
    }
  };
  await walk(src, dst, '', 0);
  return result;
}
