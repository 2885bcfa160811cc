/** Reads `model/config.json` of a package: the parsed object, the validated config, and every issue with its event. */
import fs from 'node:fs';
import path from 'node:path';
import { validateModelConfig, type TConfigIssue, type TModelConfig } from './config-schema';

/** The issue's field when config.json is not JSON at all (event A8 names it, X11 gives the parser's reason). */
export const JSON_SYNTAX_FIELD = 'JSON syntax';

export type TConfigFile = { config?: TModelConfig; raw?: Record<string, unknown>; issues: TConfigIssue[] };

/** `config` is set only when the file is valid and asks for nothing Anvil does not do yet. */
export function readModelConfig(modelDir: string): TConfigFile {
  // A read error (the file vanished) is thrown: it is not a problem of the file's content.
  const text = fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { issues: [{ field: JSON_SYNTAX_FIELD, message: (e as Error).message, event: 'A8' }] };
  }
  const object = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const { config, issues } = validateModelConfig(raw, text);
  if (!config) return { raw: object, issues };
  return { config, raw: object, issues: [] };
}
