// `npm start`: builds the console when there is no build (or the sources are newer), then serves in production mode.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Next's anonymous telemetry would try to reach the internet; a self-hosted product keeps quiet.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildId = path.join(root, '.next', 'BUILD_ID');
const CONSOLE_SOURCES = ['app', 'components', 'server/contracts', 'public', 'next.config.ts', 'package-lock.json'];

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

const isStale = !fs.existsSync(buildId) || Math.max(...CONSOLE_SOURCES.map((p) => newestMtime(path.join(root, p)))) > fs.statSync(buildId).mtimeMs;
if (isStale) {
  console.log('Building the console (first start or changed sources)…');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

register();
const { main } = await import('../server/main.ts');
await main();
