/**
 * Zip extraction that cannot take Anvil down: the archive is received into a file (never held in
 * memory), each entry streams to disk, and extraction stops at caps on the archive's size, on the
 * total of extracted bytes (counted on the bytes really inflated, so a lying header cannot pass)
 * and on the number of entries. Entries that would land outside the folder, symbolic links and
 * encrypted entries are refused by name. Files are written into a staging folder that the caller
 * moves into place only once the whole archive has been extracted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { CoreError, invalid } from '../errors';

export type TZipLimits = {
  /** Size of the .zip file itself. */
  maxArchiveBytes: number;
  /** Total size of the extracted files. */
  maxExtractedBytes: number;
  /** Entries (files and folders) in one archive. */
  maxEntries: number;
};

export const DEFAULT_ZIP_LIMITS: TZipLimits = { maxArchiveBytes: 512 * 1024 ** 2, maxExtractedBytes: 2 * 1024 ** 3, maxEntries: 10_000 };

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const ENCRYPTED = 0x1;
const STORED = 0;
const DEFLATED = 8;

/** "2 GiB", "64 MiB", else exact bytes: caps are shown as configured. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

const tooLarge = (message: string) => new CoreError('PAYLOAD_TOO_LARGE', message);

/** Streams `body` into `file`, failing with 413 past `maxBytes`. The body is not destroyed, so the caller can still answer. */
export async function receiveArchive(body: Readable, file: string, maxBytes: number): Promise<void> {
  await pipeline(
    body.iterator({ destroyOnReturn: false }),
    async function* capped(source: AsyncIterable<Buffer>) {
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(`The archive is larger than ${formatBytes(maxBytes)}, the limit for one .zip; upload the folder instead.`);
        yield chunk;
      }
    },
    fs.createWriteStream(file),
  );
}

/** Why an entry may not be extracted, if it may not: it escapes the folder, is a link, or is encrypted. */
function refusal(entry: yauzl.Entry, name: string): string | undefined {
  const parts = name.split('/');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.includes('\0') || parts.some((p) => p === '..' || p === '.')) {
    return `The archive entry "${name}" would be written outside the target folder (absolute path, "..", "." or a backslash); nothing was extracted.`;
  }
  if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
    return `The archive entry "${name}" is a symbolic link; Anvil does not extract links, and nothing was extracted.`;
  }
  if (entry.generalPurposeBitFlag & ENCRYPTED) return `The archive entry "${name}" is encrypted; Anvil cannot extract it, and nothing was extracted.`;
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    return `The archive entry "${name}" uses compression method ${entry.compressionMethod}; only stored and deflated entries are supported.`;
  }
  return undefined;
}

/** A problem of the archive itself (not of Anvil's disk) is the uploader's: 400 with the reason. */
function asArchiveError(e: unknown, name?: string): unknown {
  if (e instanceof CoreError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = name ? ` (entry "${name}")` : '';
  if (!err.syscall) return invalid('file', `The file is not a valid .zip archive${where}: ${err.message}`);
  if (name && ['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'EINVAL'].includes(err.code ?? '')) {
    return invalid('file', `The archive entry "${name}" cannot be written (${err.code}): it clashes with another entry or is not a valid file name.`);
  }
  return e;
}

/**
 * Extracts the archive at `zipFile` into the empty folder `stagingDir`; returns the number of files.
 * Throws 413 past a cap and 400 for a refused entry or a broken archive; what was written stays in
 * `stagingDir` for the caller to remove.
 */
export async function extractArchive(zipFile: string, stagingDir: string, limits: TZipLimits): Promise<number> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipFile, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false, strictFileNames: true });
  } catch (e) {
    throw asArchiveError(e);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw tooLarge(`The archive has ${zip.entryCount} entries; Anvil extracts at most ${limits.maxEntries} entries from one .zip.`);
    }
    const extractedCap = () => tooLarge(`The archive expands to more than ${formatBytes(limits.maxExtractedBytes)}, the limit for extracting one .zip; nothing was extracted.`);
    let extracted = 0;
    let files = 0;
    for await (const entry of zip.eachEntry()) {
      // Names are decoded here, not by yauzl, so a refused name is reported rather than a parse error.
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      if (name.startsWith('__MACOSX/')) continue;
      const reason = refusal(entry, name);
      if (reason) throw invalid('file', reason);
      const target = path.join(stagingDir, ...name.split('/'));
      try {
        if (name.endsWith('/')) {
          fs.mkdirSync(target, { recursive: true });
          continue;
        }
        // The declared size stops an honest bomb before it inflates; the count below stops a lying one.
        if (extracted + entry.uncompressedSize > limits.maxExtractedBytes) throw extractedCap();
        fs.mkdirSync(path.dirname(target), { recursive: true });
        await pipeline(
          await zip.openReadStreamPromise(entry),
          async function* counted(source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              extracted += chunk.length;
              if (extracted > limits.maxExtractedBytes) throw extractedCap();
              yield chunk;
            }
          },
          fs.createWriteStream(target),
        );
        files++;
      } catch (e) {
        throw asArchiveError(e, name);
      }
    }
    return files;
  } catch (e) {
    throw asArchiveError(e);
  } finally {
    if (zip.isOpen) zip.close();
  }
}

/**
 * Moves the staged tree into `target` (created if needed), replacing files of the same name. A
 * file that would replace a folder, or the reverse, is refused before anything moves.
 */
export function mergeInto(staged: string, target: string, addressOf: (relative: string) => string): void {
  const clash = (relative: string, existing: 'file' | 'folder') =>
    new CoreError('CONFLICT', `A ${existing} already exists at ${addressOf(relative)}, where the archive holds a ${existing === 'file' ? 'folder' : 'file'}; nothing was extracted.`, 'file');
  const targetStat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (targetStat && !targetStat.isDirectory()) throw clash('', 'file');
  const folders: string[] = [];
  const moves: [from: string, to: string][] = [];
  const walk = (relative: string) => {
    for (const d of fs.readdirSync(path.join(staged, relative), { withFileTypes: true })) {
      const rel = path.posix.join(relative, d.name);
      const dest = path.join(target, rel);
      const existing = fs.lstatSync(dest, { throwIfNoEntry: false });
      if (d.isDirectory()) {
        if (existing && !existing.isDirectory()) throw clash(`${rel}/`, 'file');
        folders.push(dest);
        walk(rel);
      } else {
        if (existing?.isDirectory()) throw clash(rel, 'folder');
        moves.push([path.join(staged, rel), dest]);
      }
    }
  };
  walk('');
  try {
    fs.mkdirSync(target, { recursive: true });
  } catch (e) {
    // A file stands where a parent folder of the target should be.
    if (['ENOTDIR', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw clash('', 'file');
    throw e;
  }
  for (const folder of folders) fs.mkdirSync(folder, { recursive: true });
  for (const [from, to] of moves) fs.renameSync(from, to);
}
