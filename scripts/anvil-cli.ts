/**
 * `npm run anvil -- <command>`: users and projects from the command line, on the data directory's
 * database (ANVIL_DATA_DIR, default ./data) — for the first users of a fresh install, or when no
 * administrator can log in. Safe while Anvil runs (SQLite WAL).
 *
 *   user add <name> --password <password> --project <project> [--project <project>…] [--admin]
 *   user list
 *   project add <name>
 *   project list
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DomainBus } from '../server/core/bus';
import { openDatabase } from '../server/core/db/database';
import { CoreError } from '../server/core/errors';
import { Directory } from '../server/core/iam/directory';
import { Iam } from '../server/core/iam/iam';
import { readEnv } from '../server/env';

const USAGE = `Usage: npm run anvil -- <command>
  user add <name> --password <password> --project <project> [--project <project>…] [--admin]
  user list
  project add <name>
  project list
Works on the database in ANVIL_DATA_DIR (default ./data).`;

/** Core errors name form fields; on the command line they are options. */
const OPTION_OF: Record<string, string> = { projectIds: '--project', password: '--password', isAdmin: '--admin' };

const table = (rows: string[][]) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
};

async function run(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { password: { type: 'string' }, project: { type: 'string', multiple: true }, admin: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [noun, verb, name] = positionals;
  if (values.help || !noun) return USAGE;

  const env = readEnv();
  const db = openDatabase(path.join(env.dataDir, 'anvil.db'));
  try {
    const iam = new Iam(db, new DomainBus());
    // A fresh data directory gets its domain, project `default` and `admin` first, as `npm start` would.
    const { generatedPassword } = iam.bootstrap(env.ANVIL_ADMIN_PASSWORD);
    const notice = generatedPassword ? `First use of ${env.dataDir}: created user "admin" (password: ${generatedPassword}).\n` : '';
    const directory = new Directory(db, iam);

    if (noun === 'user' && verb === 'add' && name && positionals.length === 3) {
      if (!values.password) throw new CoreError('INVALID_ARGUMENT', 'Give the password with --password.', 'password');
      const user = await directory.createUser({ name, password: values.password, isAdmin: !!values.admin, projectIds: values.project ?? [] });
      return `${notice}Created user ${user.name}${user.isAdmin ? ' (administrator)' : ''}, member of ${user.projects.map((p) => p.name).join(', ')}.`;
    }
    if (noun === 'user' && verb === 'list' && positionals.length === 2) {
      const rows = directory.listUsers().map((u) => [u.name, u.isAdmin ? 'yes' : 'no', u.projects.map((p) => p.name).join(', ')]);
      return notice + table([['USER', 'ADMIN', 'PROJECTS'], ...rows]);
    }
    if (noun === 'project' && verb === 'add' && name && positionals.length === 3) {
      const project = directory.createProject({ name });
      return `${notice}Created project ${project.name} (id ${project.id}).`;
    }
    if (noun === 'project' && verb === 'list' && positionals.length === 2) {
      const rows = directory.listProjects().map((p) => [p.name, p.id, String(p.members)]);
      return notice + table([['PROJECT', 'ID', 'MEMBERS'], ...rows]);
    }
    throw new CoreError('INVALID_ARGUMENT', `Unknown command: ${positionals.join(' ')}\n${USAGE}`);
  } finally {
    db.close();
  }
}

run(process.argv.slice(2)).then(
  (out) => console.log(out),
  (e: unknown) => {
    const field = e instanceof CoreError && e.field ? `${OPTION_OF[e.field] ?? e.field}: ` : '';
    console.error(e instanceof CoreError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) ? `${field}${(e as Error).message}` : e);
    process.exit(1);
  },
);
