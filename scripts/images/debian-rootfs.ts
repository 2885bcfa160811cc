/**
 * The image every Anvil runtime starts FROM, made without a registry: debootstrap a minimal Debian
 * with python3 and numpy from the machine's own apt mirror, then `docker import` the tree.
 */
import { BASE_DEBIAN_PACKAGES } from '../../server/core/images/base-images';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildError, pipeTarInto, run } from './exec';

export const DEBIAN_IMAGE = 'anvil/debian-python:bookworm';
export const SUITE = 'bookworm';
export const DEBIAN_PACKAGES = BASE_DEBIAN_PACKAGES;
const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The mirror serving `suite` in apt source files (deb822 `.sources` or one-line `.list`), e.g.
 * `http://deb.debian.org/debian`; undefined when none names it.
 */
export function findMirror(sourceTexts: string[], suite: string): string | undefined {
  for (const text of sourceTexts) {
    for (const line of text.split('\n')) {
      const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m && m[2] === suite) return m[1];
    }
    for (const block of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(block)?.[1].trim().split(/\s+/) ?? [];
      if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
      if (field('Suites').includes(suite) && field('URIs')[0]) return field('URIs')[0];
    }
  }
  return undefined;
}

/** The machine's apt mirror for bookworm, so the image is built from the same place apt installs from. */
export function systemMirror(): string {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) files.push(...fs.readdirSync(dir).filter((f) => /\.(sources|list)$/.test(f)).sort().map((f) => path.join(dir, f)));
  const texts = files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
  return findMirror(texts, SUITE) ?? FALLBACK_MIRROR;
}

const PACKAGES_LABEL = 'anvil.debian-packages';

/** True when DEBIAN_IMAGE exists and was debootstrapped with today's package list. */
export async function debianImageIsCurrent(): Promise<boolean> {
  const out = await run('docker', ['image', 'inspect', '--format', `{{index .Config.Labels "${PACKAGES_LABEL}"}}`, DEBIAN_IMAGE]).catch(() => '');
  return String(out).trim() === DEBIAN_PACKAGES.join(',');
}

export async function imageExists(ref: string): Promise<boolean> {
  return run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref]).then(
    () => true,
    () => false,
  );
}

/** Like Debian's own slim images: no manuals or translations, apt keeps no package lists or archives. */
function slimDown(root: string): void {
  fs.writeFileSync(
    path.join(root, 'etc/dpkg/dpkg.cfg.d/01-anvil-slim'),
    ['path-exclude /usr/share/doc/*', 'path-include /usr/share/doc/*/copyright', 'path-exclude /usr/share/man/*', 'path-exclude /usr/share/info/*', 'path-exclude /usr/share/locale/*', ''].join('\n'),
  );
  fs.writeFileSync(
    path.join(root, 'etc/apt/apt.conf.d/01-anvil-clean'),
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n',
  );
  const emptyDir = (rel: string, keep: (name: string) => boolean = () => false) => {
    const dir = path.join(root, rel);
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir)) if (!keep(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  };
  emptyDir('var/lib/apt/lists', (n) => n === 'partial');
  emptyDir('var/cache/apt/archives', (n) => n === 'partial' || n === 'lock');
  emptyDir('usr/share/man');
  emptyDir('usr/share/info');
  emptyDir('usr/share/locale');
  for (const pkg of fs.readdirSync(path.join(root, 'usr/share/doc'))) {
    const dir = path.join(root, 'usr/share/doc', pkg);
    if (fs.lstatSync(dir).isDirectory()) for (const f of fs.readdirSync(dir)) if (f !== 'copyright') fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
  for (const log of ['var/log/dpkg.log', 'var/log/apt/history.log', 'var/log/apt/term.log', 'var/log/bootstrap.log']) fs.rmSync(path.join(root, log), { force: true });
}

/** debootstraps bookworm (minbase + python3 + numpy) and imports it as DEBIAN_IMAGE; returns the mirror used. */
export async function buildDebianPython(): Promise<string> {
  const mirror = systemMirror();
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'anvil-rootfs-'));
  try {
    await run('debootstrap', ['--variant=minbase', `--include=${DEBIAN_PACKAGES.join(',')}`, SUITE, root, mirror]).catch((e: Error) => {
      throw new BuildError(`debootstrap from ${mirror} failed: ${e.message}`);
    });
    slimDown(root);
    const changes = [`ENV PATH=${PATH}`, 'ENV LANG=C.UTF-8', 'LABEL anvil.base=debian-bookworm-python3', `LABEL ${PACKAGES_LABEL}=${DEBIAN_PACKAGES.join(',')}`, 'CMD ["python3"]'];
    await pipeTarInto(root, 'docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', DEBIAN_IMAGE]);
    return mirror;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
