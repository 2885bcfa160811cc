import fs from 'node:fs';

/** The Node options of `npm start` (package.json), so a benchmark measures Anvil as users run it. */
export function startFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(/\s+/).filter((arg) => arg.startsWith('--'));
}
