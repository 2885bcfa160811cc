/**
 * Anvil's runtime images as the core sees them: their names, the content hash that tags them, and
 * the ones built on an engine (read from their labels). `npm run images` builds them
 * (scripts/images/build-images.ts, docs/images.md).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';

/** Repository of the base runtime image (Debian python3 + numpy + Anvil's model server). */
export const BASE_RUNTIME_REPO = 'anvil/runtime-python3';

/** Labels `npm run images` puts on every runtime image. */
export const IMAGE_LABEL = {
  /** Interpreter and libraries, e.g. `python3.11-numpy1.24`. */
  runtime: 'anvil.runtime',
  /** serverHash() of the model server baked into the image. */
  serverHash: 'anvil.server-hash',
  /** `base`, or the variant's name (`sklearn`, `torch`). */
  variant: 'anvil.variant',
} as const;

export type TBuiltRuntime = { image: string; variant: string; runtime: string; sizeBytes: number; createdAt: number };

/** Files of the model server that go into the image: everything but Python's byte-code caches. */
export function serverFiles(serverDir: string): string[] {
  const walk = (rel: string): string[] =>
    fs
      .readdirSync(path.join(serverDir, rel), { withFileTypes: true })
      .filter((d) => d.name !== '__pycache__' && !d.name.endsWith('.pyc'))
      .flatMap((d) => {
        const child = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) return walk(child);
        return d.isFile() ? [child] : [];
      });
  // Sorted by code unit, not locale, so every machine hashes in the same order.
  return walk('').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Debian packages of the base image (debootstrap --include). Part of the tag's hash, so a node
 * holding an image built from another list is not taken for up to date. pip installs an
 * application's `dependencies` when Anvil builds its image (images/app-image-builder.ts).
 */
export const BASE_DEBIAN_PACKAGES = ['python3', 'python3-numpy', 'python3-pip'] as const;

/** First 12 hex digits of sha256 over the base packages and the model server's relative paths and contents: the runtime image's tag. */
export function serverHash(serverDir: string): string {
  const hash = crypto.createHash('sha256');
  hash.update(`packages:${BASE_DEBIAN_PACKAGES.join(',')}\0`);
  for (const rel of serverFiles(serverDir)) {
    // Length-prefixed fields: moving bytes between a path and a file's content changes the hash.
    const content = fs.readFileSync(path.join(serverDir, rel));
    hash.update(`${Buffer.byteLength(rel)}:${rel}\0${content.length}:`);
    hash.update(content);
  }
  return hash.digest('hex').slice(0, 12);
}

/** The base runtime image for the model server in `serverDir`: `anvil/runtime-python3:<serverHash>`. */
export function baseRuntimeImage(serverDir: string): string {
  return `${BASE_RUNTIME_REPO}:${serverHash(serverDir)}`;
}

/**
 * Runtime images built on the engine, newest first: one entry per image, named by its immutable
 * content-hash tag rather than `latest`. Images from older model servers are listed too.
 */
export async function listBuiltRuntimes(docker: Docker): Promise<TBuiltRuntime[]> {
  const images = await docker.listImages({ filters: { label: [IMAGE_LABEL.variant, IMAGE_LABEL.serverHash] } });
  return images
    .flatMap((img) => {
      const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      const image = tags.find((t) => !t.endsWith(':latest')) ?? tags[0];
      if (!image) return [];
      const labels = img.Labels ?? {};
      return [{ image, variant: labels[IMAGE_LABEL.variant], runtime: labels[IMAGE_LABEL.runtime] ?? '', sizeBytes: img.Size, createdAt: img.Created * 1000 }];
    })
    .sort((a, b) => b.createdAt - a.createdAt || a.image.localeCompare(b.image));
}
