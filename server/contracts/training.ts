/**
 * Training jobs (guide §2.2.1, "从训练中选择"): code in object storage, a boot file, hyperparameters
 * passed as `--name=value`, an output folder whose runs land in versioned subfolders V001, V002, …
 */
import { z } from 'zod';
import { ZEnvsSchema } from './services';

export const TRAINING_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'stopped'] as const;
export type TTrainingStatus = (typeof TRAINING_STATUSES)[number];

const OBS_FOLDER = /^obs:\/\/[^/]+(\/.*)?$/;

export const ZTrainingJobSchema = z.object({
  name: z
    .string('Enter a name.')
    .min(1, 'Enter a name.')
    .max(64, 'At most 64 characters.')
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'Letters, digits, "-" and "_", starting with a letter.'),
  description: z.string().max(256, 'At most 256 characters.').default(''),
  codeDir: z.string().regex(OBS_FOLDER, 'An object-storage folder: obs://bucket/path/.'),
  bootFile: z
    .string('Enter the boot file.')
    .min(1, 'Enter the boot file.')
    .max(256, 'At most 256 characters.')
    // No `..` or `.` segment, and no segment starting with "-" (python would read it as an option).
    .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))(?!.*(^|\/)-)[A-Za-z0-9_./-]+\.py$/, 'A .py file inside the code folder, e.g. train.py or src/train.py.'),
  outputDir: z.string().regex(OBS_FOLDER, 'An object-storage folder: obs://bucket/path/.'),
  hyperparameters: z
    .array(
      z.object({
        name: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'Letters, digits, "_", "." and "-", starting with a letter or "_" (at most 64).')
          .refine((n) => n !== 'train_url', 'train_url is set by Anvil: the output folder.'),
        value: z.string().max(256, 'At most 256 characters.').regex(/^[^\u0000-\u001f\u007f]*$/, 'No control characters.'),
      }),
    )
    .max(100, 'At most 100 hyperparameters.')
    .default([])
    .refine((hs) => new Set(hs.map((h) => h.name)).size === hs.length, 'Each hyperparameter can appear once.'),
  envs: ZEnvsSchema,
  flavor: z.string().min(1, 'Choose a specification.'),
  pool: z.string().default('local'),
});
export type TTrainingJobInput = z.input<typeof ZTrainingJobSchema>;

export type TTrainingRun = {
  id: string;
  version: number;
  /** V001, V002, …: the run's folder under the job's output folder. */
  versionName: string;
  status: TTrainingStatus;
  statusReason: string;
  outputUri: string;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
};

export type TTrainingJob = z.output<typeof ZTrainingJobSchema> & { id: string; createdAt: number; runs: TTrainingRun[] };
export type TTrainingLogLine = { id: number; runId: string; ts: number; stream: 'stdout' | 'stderr'; line: string };
