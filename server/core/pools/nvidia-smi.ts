/**
 * Reading what `nvidia-smi` says about a node's GPUs: the CSV of `--query-gpu` (memory and load per
 * GPU) and the `-L` listing (GPUs and their MIG devices). Pure: the caller runs the tool.
 */

/** Arguments of the inventory query; the columns are what `parseNvidiaSmiCsv` reads, in order. */
export const NVIDIA_SMI_QUERY_ARGS: readonly string[] = [
  '--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu',
  '--format=csv,noheader,nounits',
];

export type TGpuDevice = {
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number;
  /** Null where the driver cannot say (`[N/A]`, `[Insufficient Permissions]`, …). */
  memoryUsedMiB: number | null;
  utilizationPct: number | null;
  /**
   * True when utilization reads `[N/A]` while memory is known: NVML does not report utilization of a
   * GPU in MIG mode. A guess, not a query: old GeForce cards say `[Not Supported]` (not counted), but a
   * card that newer drivers report as `[N/A]` for another reason would count too.
   */
  isMigEnabled: boolean;
};

export type TMigDevice = { profile: string; deviceIndex: number; uuid: string };
export type TListedGpu = { index: number; name: string; uuid: string; migDevices: TMigDevice[] };

/** What nvidia-smi prints, and exits 6 with, on a node that has the driver but no GPU. */
const NO_DEVICES = 'No devices were found';
/** nvidia-smi writes a value it cannot read as a bracketed reason: `[N/A]`, `[Not Supported]`, `[Unknown Error]`. */
const UNREADABLE = /^\[[^\]]+\]$/;
const NUMBER = /^\d+(\.\d+)?$/;

/** The GPUs in `nvidia-smi ${NVIDIA_SMI_QUERY_ARGS}` output; throws naming the line on anything else. */
export function parseNvidiaSmiCsv(text: string): TGpuDevice[] {
  if (text.trim() === NO_DEVICES) return [];
  const devices: TGpuDevice[] = [];
  const lineOfIndex = new Map<number, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const lineNo = i + 1;
    const fail = (what: string): never => {
      throw new Error(`nvidia-smi output line ${lineNo}: ${what} (${JSON.stringify(line)}).`);
    };
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 6) fail(`expected 6 comma-separated fields, found ${fields.length}`);
    // Fields are not quoted: a comma inside a name would add fields, so the name is whatever lies between uuid and the last three.
    const [indexText, uuid] = fields;
    const [totalText, usedText, utilText] = fields.slice(-3);
    const name = fields.slice(2, -3).join(', ');

    if (!/^\d+$/.test(indexText)) fail(`index ${JSON.stringify(indexText)} is not a whole number`);
    const index = Number(indexText);
    const seenAt = lineOfIndex.get(index);
    if (seenAt !== undefined) fail(`GPU index ${index} already appeared on line ${seenAt}`);
    lineOfIndex.set(index, lineNo);
    if (!/^GPU-\S+$/.test(uuid)) fail(`uuid ${JSON.stringify(uuid)} does not start with "GPU-"`);
    if (!name) fail('the GPU name is empty');
    if (!NUMBER.test(totalText)) fail(`memory.total ${JSON.stringify(totalText)} is not a number of MiB`);
    const memoryUsedMiB = readOptional(usedText) ?? fail(`memory.used ${JSON.stringify(usedText)} is neither a number nor a bracketed reason`);
    const utilizationPct = readOptional(utilText) ?? fail(`utilization.gpu ${JSON.stringify(utilText)} is neither a number nor a bracketed reason`);

    devices.push({
      index,
      uuid,
      name,
      memoryTotalMiB: Number(totalText),
      memoryUsedMiB: memoryUsedMiB.value,
      utilizationPct: utilizationPct.value,
      isMigEnabled: utilText === '[N/A]' && memoryUsedMiB.value !== null,
    });
  });
  return devices;
}

/** A number, null for a bracketed reason, undefined for anything else. */
function readOptional(text: string): { value: number | null } | undefined {
  if (NUMBER.test(text)) return { value: Number(text) };
  if (UNREADABLE.test(text)) return { value: null };
  return undefined;
}

const GPU_LINE = /^GPU (\d+): (.+) \(UUID: (GPU-[^)\s]+)\)$/;
// Profiles are padded ("MIG 1g.10gb     Device  0:") on newer drivers and not on R450/R460; older drivers
// name MIG devices "MIG-GPU-<gpu uuid>/<gi>/<ci>", newer ones "MIG-<uuid>".
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)\s]+)\)$/;

/** The GPUs of `nvidia-smi -L` output with the MIG devices listed under each; throws naming the line on anything else. */
export function parseNvidiaSmiList(text: string): TListedGpu[] {
  if (text.trim() === NO_DEVICES) return [];
  const gpus: TListedGpu[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!line.trim()) return;
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2], uuid: gpu[3], migDevices: [] });
      return;
    }
    const mig = MIG_LINE.exec(line);
    const owner = gpus.at(-1);
    if (mig && owner) {
      owner.migDevices.push({ profile: mig[1], deviceIndex: Number(mig[2]), uuid: mig[3] });
      return;
    }
    const what = mig ? 'a MIG device before any GPU' : 'neither a GPU nor a MIG device';
    throw new Error(`nvidia-smi -L output line ${i + 1}: ${what} (${JSON.stringify(line)}).`);
  });
  return gpus;
}
