/**
 * `npm run bench:logs`: log search over 1 million lines of one service (issue 8's target: the first
 * page of a keyword search in under 1 s). Writes the lines through InstanceLogs into a scratch
 * SQLite file (the FTS5 trigram index kept by triggers), then times the first page (500 lines) of
 * several queries, each the median of 5 runs. Knob: BENCH_LOG_LINES (default 1,000,000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/core/db/database';
import { InstanceLogs } from '../../server/core/telemetry/instance-logs';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
const TEMPLATES = [
  (i: number) => `INFO  customize_service: predicted ${i % 7} row(s) in ${(i % 50) / 10} ms`,
  (i: number) => `DEBUG request_id=${(i * 2654435761 % 2 ** 32).toString(16)} path=/v1/infers status=200`,
  (i: number) => `WARN  slow request ${i} took ${200 + (i % 800)} ms`,
  (i: number) => `INFO  GET /health 200 ${(i % 9) + 1}ms`,
  (i: number) => `ERROR connection refused by 10.0.${i % 256}.${(i * 7) % 256}:8080 (retry ${i % 5})`,
  (i: number) => `INFO  batch ${i} done: ${i % 1000} items`,
];
const RARE = (i: number) => `CRITICAL model weights checksum mismatch in shard ${i}`;

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-bench-logs-'));
  const db = openDatabase(path.join(dir, 'anvil.db'));
  const logs = new InstanceLogs(db);
  try {
    const started = performance.now();
    for (let i = 0; i < LINES; i++) {
      logs.append('svc', i % 4 ? 'instance-a' : 'instance-b', i % 10 ? 'stdout' : 'stderr', i % 10_000 === 0 ? RARE(i) : TEMPLATES[i % TEMPLATES.length](i));
      if (i % 20_000 === 0) logs.flush();
    }
    logs.flush();
    const writeS = (performance.now() - started) / 1000;
    const size = fs.statSync(path.join(dir, 'anvil.db')).size + (fs.existsSync(path.join(dir, 'anvil.db-wal')) ? fs.statSync(path.join(dir, 'anvil.db-wal')).size : 0);
    console.log(`\nAnvil log search benchmark — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}`);
    console.log(`\n${LINES.toLocaleString('en')} lines written in ${writeS.toFixed(1)} s (${Math.round(LINES / writeS).toLocaleString('en')} lines/s, with the index); database ${(size / 2 ** 20).toFixed(0)} MiB\n`);
    console.log('| query | matches in the first page | first page ms (median of 5) |');
    console.log('| --- | --- | --- |');
    for (const keyword of ['checksum', 'connection refused', '"slow request"', 'ERROR && retry', 'critical || mismatch', 'refus*', 'er?or', 'nothing-matches-this']) {
      const times: number[] = [];
      let found = 0;
      for (let run = 0; run < 5; run++) {
        const t = performance.now();
        found = logs.query({ serviceId: 'svc', range: { kind: 'last', minutes: 60 }, keyword, limit: 500 }).lines.length;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`| \`${keyword}\` | ${found} | ${times[2].toFixed(1)} |`);
    }
    console.log('\n`er?or` has no literal of three characters: it is answered by scanning the newest 50,000 lines of the range, not the index.');
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
