/**
 * The interpreter that really runs models. config.json asks for a runtime such as `python3.6`, but the
 * process runtime starts every instance with the host's configured Python, whatever its version.
 */
import { spawnSync } from 'node:child_process';

const versions = new Map<string, string>();

/** The version line of `python` ("Python 3.11.2"), asked once per path and cached. */
export function hostPythonVersion(python: string): string {
  let version = versions.get(python);
  if (version === undefined) {
    version = askVersion(python);
    versions.set(python, version);
  }
  return version;
}

function askVersion(python: string): string {
  const result = spawnSync(python, ['--version'], { encoding: 'utf8', timeout: 5000 });
  // Python 2 prints its version on stderr, Python 3 on stdout.
  const line = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0];
  if (result.error || result.status !== 0 || !/^Python \d/.test(line)) {
    return `unknown Python (${python} --version failed: ${result.error?.message ?? (line || `exit ${result.status}`)})`;
  }
  return line;
}
