/**
 * Health checks of an AI application (guide tables 2-8 and 2-10): startup, readiness and liveness
 * probes, each an HTTP request or a command run in the instance (EXEC), with the guide's ranges.
 */
import { z } from 'zod';

const INT_MAX = 2147483647;
const seconds = (min: number, what: string) =>
  z.number(`Enter the ${what} in seconds.`).int('Enter a whole number of seconds.').min(min, `At least ${min}.`).max(INT_MAX, `At most ${INT_MAX}.`);

export const PROBE_KINDS = ['startup', 'readiness', 'liveness'] as const;
export type TProbeKind = (typeof PROBE_KINDS)[number];

export const ZProbeSchema = z
  .object({
    checkMethod: z.enum(['HTTP', 'EXEC'], 'Choose HTTP or EXEC.'),
    /** HTTP: the path requested with GET (default /health). */
    url: z.string().trim().max(256, 'At most 256 characters.').optional(),
    /** EXEC: a command run in the instance with /bin/sh -c; exit status 0 passes. */
    command: z.string().trim().max(1024, 'At most 1024 characters.').optional(),
    periodSeconds: seconds(1, 'period'),
    initialDelaySeconds: seconds(0, 'initial delay'),
    timeoutSeconds: seconds(0, 'timeout'),
    failureThreshold: z.number('Enter the maximum failures.').int('Enter a whole number.').min(1, 'At least 1.').max(INT_MAX, `At most ${INT_MAX}.`),
  })
  .superRefine((p, ctx) => {
    if (p.checkMethod === 'HTTP' && p.url !== undefined && p.url !== '' && !/^\/[\x21-\x7e]*$/.test(p.url)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'Start with "/"; no spaces.' });
    }
    if (p.checkMethod === 'EXEC' && !p.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'Enter the command to run.' });
    if (p.checkMethod === 'EXEC' && p.command?.includes('\n')) ctx.addIssue({ code: 'custom', path: ['command'], message: 'One line only.' });
  });
export type TProbe = z.infer<typeof ZProbeSchema>;

export const ZProbesSchema = z.object({ startup: ZProbeSchema.optional(), readiness: ZProbeSchema.optional(), liveness: ZProbeSchema.optional() });
export type TProbes = z.infer<typeof ZProbesSchema>;
