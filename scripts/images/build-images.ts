/**
 * `npm run images`: Anvil's runtime images, built here from Debian packages (no registry needed).
 *
 *   npm run images                      anvil/debian-python:bookworm, then anvil/runtime-python3:<hash>
 *   npm run images -- --variant sklearn also anvil/runtime-python3-sklearn:<hash> (repeatable; torch too)
 *   npm run images -- --example         also the example custom image anvil/example-custom:1.0
 *   npm run images -- --rebuild         debootstrap again even when the Debian image exists
 *
 * See docs/images.md.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serverHash } from '../../server/core/images/base-images';
import { buildDebianPython, DEBIAN_IMAGE, DEBIAN_PACKAGES, debianImageIsCurrent } from './debian-rootfs';
import { BuildError, hasCommand, run, StepLog } from './exec';
import { buildDirectory, buildRuntime, imageSize, probeRuntime, VARIANTS } from './runtime-image';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_DIR = path.join(ROOT, 'server/runtimes/python');
const EXAMPLE_DIR = path.join(ROOT, 'examples/custom-image');
const EXAMPLE_IMAGE = 'anvil/example-custom:1.0';

const USAGE = `Usage: npm run images -- [--variant ${Object.keys(VARIANTS).filter((v) => v !== 'base').join('|')}]… [--example] [--rebuild]`;

function options() {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', multiple: true, default: [] },
      example: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const unknown = values.variant.filter((v) => !VARIANTS[v]);
  if (unknown.length) throw new BuildError(`Unknown variant ${unknown.join(', ')}.\n${USAGE}`);
  return values;
}

async function checkDocker(): Promise<void> {
  if (!hasCommand('docker')) throw new BuildError('docker is not installed: apt-get install docker.io, then start dockerd.');
  await run('docker', ['info', '--format', '{{.ServerVersion}}']).catch(() => {
    throw new BuildError('The docker daemon does not answer (is dockerd running, and may this user use /var/run/docker.sock?).');
  });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) return void console.log(USAGE);
  const started = performance.now();
  await checkDocker();
  const haveDebian = !opts.rebuild && (await debianImageIsCurrent());
  if (!haveDebian && !hasCommand('debootstrap')) {
    throw new BuildError(`debootstrap is not installed and ${DEBIAN_IMAGE} must be built: apt-get install debootstrap.`);
  }

  const log = new StepLog();
  if (haveDebian) console.log(`• ${DEBIAN_IMAGE} exists with ${DEBIAN_PACKAGES.join(', ')} (--rebuild to debootstrap again)`);
  else await log.step(`debootstrap bookworm + docker import ${DEBIAN_IMAGE}`, buildDebianPython, (mirror) => `from ${mirror}`);

  const hash = serverHash(SERVER_DIR);
  const built = [DEBIAN_IMAGE];
  for (const variant of [VARIANTS.base, ...[...new Set(opts.variant)].map((v) => VARIANTS[v]).filter((v) => v.name !== 'base')]) {
    const what = variant.packages.length ? `${variant.name} packages (${variant.packages.join(' ')})` : `${variant.name} versions`;
    const runtime = await log.step(`probe ${what}`, () => probeRuntime(SERVER_DIR, variant), (r) => r);
    const image = await log.step(`docker build ${variant.repo}:${hash}`, () => buildRuntime(SERVER_DIR, variant, { runtime, serverHash: hash, variant: variant.name }));
    built.push(image);
  }
  if (opts.example) built.push(await log.step(`docker build ${EXAMPLE_IMAGE}`, () => buildDirectory(EXAMPLE_DIR, EXAMPLE_IMAGE)));

  console.log(`\nImages (model server hash ${hash}; each runtime is also tagged :latest):`);
  for (const image of built) console.log(`  ${image.padEnd(48)} ${mb(await imageSize(image)).padStart(8)}`);
  console.log(`Total ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof BuildError ? `npm run images: ${e.message}` : e);
  process.exit(1);
});
