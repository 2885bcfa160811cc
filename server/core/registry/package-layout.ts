/** Model package layout of guide §4.1.1: a `model` folder with exactly one config.json and one customize_service.py. */
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../errors';

/** Finds the `model` folder for a chosen directory: the directory itself if named `model`, else `<dir>/model`. */
export function locateModelDir(chosenDir: string, field = 'sourceUri'): string {
  if (!fs.existsSync(chosenDir) || !fs.statSync(chosenDir).isDirectory()) {
    throw invalid(field, 'The chosen model directory does not exist.');
  }
  const modelDir = path.basename(chosenDir) === 'model' ? chosenDir : path.join(chosenDir, 'model');
  if (!fs.existsSync(modelDir) || !fs.statSync(modelDir).isDirectory()) {
    throw invalid(field, 'The chosen directory must contain a folder named "model" (guide §4.1.1).');
  }
  // Guide §2.2.4: an image brings its own server, so its package is config.json alone.
  const isImage = readsAsImage(path.join(modelDir, 'config.json'));
  for (const required of isImage ? ['config.json'] : ['config.json', 'customize_service.py']) {
    const found = findFiles(modelDir, required);
    if (found.length === 0) throw invalid(field, `The "model" folder must contain ${required}.`);
    if (found.length > 1) {
      throw invalid(field, `The "model" folder must contain exactly one ${required}; found ${found.length}: ${found.map((f) => path.relative(modelDir, f)).join(', ')}.`);
    }
    if (path.dirname(found[0]) !== modelDir) throw invalid(field, `${required} must sit directly in the "model" folder.`);
  }
  return modelDir;
}

function readsAsImage(configPath: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(configPath, 'utf8')) as { model_type?: unknown }).model_type === 'Image';
  } catch {
    return false;
  }
}

function findFiles(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findFiles(p, name);
    return d.name === name ? [p] : [];
  });
}

/** Total bytes of the files under `dir`. */
export function directorySize(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, d) => {
    const p = path.join(dir, d.name);
    return sum + (d.isDirectory() ? directorySize(p) : fs.statSync(p).size);
  }, 0);
}

/** The largest file under `dir`, for the 5 GB single-file limit of guide §2.2 (event A41). */
export function largestFile(dir: string): { file: string; size: number } {
  let best = { file: '', size: 0 };
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    const candidate = d.isDirectory() ? largestFile(p) : { file: p, size: fs.statSync(p).size };
    if (candidate.size > best.size) best = candidate;
  }
  return best;
}
