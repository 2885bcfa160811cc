/** Counts NVIDIA GPUs from `nvidia-smi -L`; no driver or no tool means no GPUs. */
import { execFileSync } from 'node:child_process';

/** Parses `nvidia-smi -L` output: one `GPU <n>: <name> (UUID: …)` line per device. */
export function parseNvidiaSmiList(output: string): { index: number; name: string; uuid: string }[] {
  return output
    .split('\n')
    .map((line) => /^GPU (\d+): (.+?) \(UUID: ([^)]+)\)/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ index: Number(m[1]), name: m[2], uuid: m[3] }));
}

/** The GPUs of this node, or none when nvidia-smi is missing or fails. */
export function detectGpus(): { index: number; name: string; uuid: string }[] {
  try {
    return parseNvidiaSmiList(execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return [];
  }
}
