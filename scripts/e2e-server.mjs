// The server the Playwright specs run against: a fresh data directory each run, a known admin password.
import fs from 'node:fs';

const dir = process.env.ANVIL_DATA_DIR;
if (!dir || !dir.includes('e2e')) throw new Error('ANVIL_DATA_DIR must point at an e2e scratch directory');
fs.rmSync(dir, { recursive: true, force: true });
await import('./start.mjs');
