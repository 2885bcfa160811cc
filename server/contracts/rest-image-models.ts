/**
 * The REST spelling of an AI application from a container image (guide §2.2.4, table 2-10),
 * ModelArts-style snake_case. Every field reuses the console form's schema (`ZCreateImageAppSchema`,
 * `ZProbeSchema`), so both doors refuse the same values with the same messages; the checks that
 * span fields (EXEC needs a command, the apis definition) come from the core and are renamed by
 * `restImageModelField`.
 */
import { z } from 'zod';
import { ZCreateImageAppSchema } from './apps';
import { PROBE_KINDS, ZProbeSchema } from './probes';
import { ZRestCreateModelSchema } from './rest-models';

const form = ZCreateImageAppSchema.shape;
const probe = ZProbeSchema.shape;
const modelForm = ZRestCreateModelSchema.shape;

/** One health check (config.json `health`, guide table 4-8, with `check_method` HTTP or EXEC). */
export const ZRestProbeSchema = z
  .strictObject({
    check_method: probe.checkMethod.meta({ description: 'HTTP: GET `url` on the container port, a 2xx answer passes. EXEC: run `command` in the container, exit 0 passes.' }),
    url: probe.url.meta({ description: 'HTTP only; default /health.' }),
    command: probe.command.meta({ description: 'EXEC only: one line, run with /bin/sh -c.' }),
    period_seconds: probe.periodSeconds.meta({ description: 'Seconds between checks, 1-2147483647.' }),
    initial_delay_seconds: probe.initialDelaySeconds.meta({ description: 'Seconds after the start before the first check, 0-2147483647.' }),
    timeout_seconds: probe.timeoutSeconds.meta({ description: 'Seconds one check may take, 0-2147483647.' }),
    failure_threshold: probe.failureThreshold.meta({ description: 'Failures in a row that count, 1-2147483647.' }),
  })
  .meta({ id: 'HealthProbe' });
export type TRestProbe = z.infer<typeof ZRestProbeSchema>;

export const ZRestCreateImageModelSchema = z
  .strictObject({
    model_name: form.name,
    model_version: form.version.unwrap().optional().meta({ description: 'Default 0.0.1.' }),
    description: form.description.unwrap().optional(),
    image: form.image.meta({ description: '`<repository>:<tag>` in the project\'s image repository (see GET /v1/{project_id}/images).' }),
    protocol: form.protocol.unwrap().optional().meta({ description: 'Between the gateway and the container; only HTTP (default).' }),
    port: form.port.unwrap().optional().meta({ description: 'The port the container listens on; default 8080.' }),
    start_command: form.startCommand.meta({ description: 'Replaces the image\'s command (run with /bin/sh -c); refused when it contains $ | > < ` ! \\ ? a newline, -v, --volume, --mount, --tmpfs, --privileged or --cap-add.' }),
    apis: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .meta({ description: 'The apis definition of config.json (guide §4.1.2): [{url, method, request, response}]. Default: POST / with JSON.' }),
    health: z
      .strictObject({ startup: ZRestProbeSchema.optional(), readiness: ZRestProbeSchema.optional(), liveness: ZRestProbeSchema.optional() })
      .optional()
      .meta({
        description:
          'startup: the other probes wait until it passes, its failures restart the instance. readiness: failures take the instance out of routing. liveness: failures restart the instance.',
      }),
    install_type: modelForm.install_type,
    request_mode: modelForm.request_mode,
    model_docs: modelForm.model_docs,
  })
  .meta({ id: 'CreateImageModelRequest' });
export type TRestCreateImageModel = z.infer<typeof ZRestCreateImageModelSchema>;

/** Where each field of the console's form lives in the REST body. */
const FORM_TO_REST: Record<string, string> = {
  name: 'model_name',
  version: 'model_version',
  description: 'description',
  image: 'image',
  protocol: 'protocol',
  port: 'port',
  startCommand: 'start_command',
  apis: 'apis',
  probes: 'health',
  deployTypes: 'install_type',
  requestMode: 'request_mode',
  docs: 'model_docs',
};
const PROBE_TO_REST: Record<string, string> = {
  checkMethod: 'check_method',
  url: 'url',
  command: 'command',
  periodSeconds: 'period_seconds',
  initialDelaySeconds: 'initial_delay_seconds',
  timeoutSeconds: 'timeout_seconds',
  failureThreshold: 'failure_threshold',
};
const DOC_TO_REST: Record<string, string> = { name: 'doc_name', url: 'doc_url' };

/** A form field (`probes.liveness.periodSeconds`, `docs.0.url`) as the REST body names it (`health.liveness.period_seconds`). */
export function restImageModelField(field: string): string {
  const [head, ...rest] = field.split('.');
  if (head === 'probes' && rest.length === 2 && (PROBE_KINDS as readonly string[]).includes(rest[0])) return `health.${rest[0]}.${PROBE_TO_REST[rest[1]] ?? rest[1]}`;
  if (head === 'docs' && rest.length === 2) return `model_docs.${rest[0]}.${DOC_TO_REST[rest[1]] ?? rest[1]}`;
  return [FORM_TO_REST[head] ?? head, ...rest].join('.');
}
