/**
 * What one instance's container looks like (pure, unit-tested): labels that let a later Anvil find
 * and adopt it, the flavor's CPU and memory limits, GPUs by index, the service's environment, no
 * privilege, no host mount but the read-only model, and the model's port published on the node.
 */
import type Docker from 'dockerode';
import type { TInstanceSpec } from '../runtime-driver';

export const LABEL = {
  managed: 'anvil.managed',
  /** Which Anvil installation (data directory) owns it: two Anvils on one engine never touch each other's. */
  owner: 'anvil.owner',
  node: 'anvil.node',
  project: 'anvil.project',
  service: 'anvil.service',
  app: 'anvil.app',
  instance: 'anvil.instance',
  generation: 'anvil.generation',
} as const;

/** Where the model is mounted (read-only) and the model server reads it. */
export const MODEL_MOUNT = '/opt/anvil/model';
export const DEFAULT_CONTAINER_PORT = 8080;
/** Where a training job writes its output (`--train_url`). */
export const JOB_OUTPUT_MOUNT = '/opt/anvil/output';
/** Containers run as nobody whatever the image says; root in a container is still root on the kernel. */
export const CONTAINER_USER = '65534:65534';
/** Bridge network without inter-container traffic: instances reach neither each other nor other services' instances. */
export const INSTANCE_NETWORK = 'anvil-instances';
const THREAD_POOL_VARS = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'];
const SCRATCH_BYTES = 256 * 1024 ** 2;

export type TContainerContext = {
  /** Anvil installation id (LABEL.owner). */
  owner: string;
  /** Host address published ports bind to on the node (127.0.0.1 for a local engine). */
  publishIp: string;
  /** The model folder on the node, bind-mounted read-only; absent when the image already holds it. */
  modelSource?: string;
  /** A training job's output folder on the node, bind-mounted writable at JOB_OUTPUT_MOUNT. */
  jobOutput?: string;
  defaultImage: string;
};

export function containerName(instanceId: string): string {
  return `anvil-${instanceId}`;
}

export function containerCreateOptions(spec: TInstanceSpec, ctx: TContainerContext): Docker.ContainerCreateOptions {
  const port = spec.containerPort ?? DEFAULT_CONTAINER_PORT;
  const threads = String(Math.max(1, Math.floor(spec.cpus)));
  const gpuIds = spec.placement.gpuIndices.map(String);
  const env: Record<string, string> = {
    ...Object.fromEntries(THREAD_POOL_VARS.map((k) => [k, threads])),
    ...spec.env,
    PORT: String(port),
    ANVIL_BIND_HOST: '0.0.0.0',
    ANVIL_MODEL_DIR: MODEL_MOUNT,
    ANVIL_MODEL_NAME: spec.modelName,
    ANVIL_MODEL_TYPE: spec.modelType,
    ANVIL_INSTANCE_ID: spec.instanceId,
    ANVIL_SERVICE_ID: spec.serviceId,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    HOME: '/tmp',
    TMPDIR: '/tmp',
    // Without GPUs, the NVIDIA runtime (when it is the default) must expose none.
    NVIDIA_VISIBLE_DEVICES: gpuIds.length ? gpuIds.join(',') : 'void',
    ...(spec.job ? { ANVIL_OUTPUT_DIR: JOB_OUTPUT_MOUNT } : {}),
  };
  // A training job runs its boot file in the code (mounted where the model would be) instead of the model server.
  const command = spec.job ? ['python3', ...spec.job.argv, `--train_url=${JOB_OUTPUT_MOUNT}`] : spec.command;
  return {
    name: containerName(spec.instanceId),
    Image: spec.image ?? ctx.defaultImage,
    ...(command?.length ? { Cmd: command } : {}),
    // The image's own WORKDIR stays (Anvil's runtime image sets /opt/anvil/model): a custom image's relative CMD must work.
    User: CONTAINER_USER,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.managed]: 'true',
      [LABEL.owner]: ctx.owner,
      [LABEL.node]: spec.placement.nodeId,
      [LABEL.project]: spec.projectId,
      [LABEL.service]: spec.serviceId,
      [LABEL.app]: spec.appId,
      [LABEL.instance]: spec.instanceId,
      [LABEL.generation]: String(spec.generation),
    },
    ExposedPorts: { [`${port}/tcp`]: {} },
    HostConfig: {
      NetworkMode: INSTANCE_NETWORK,
      PortBindings: { [`${port}/tcp`]: [{ HostIp: ctx.publishIp, HostPort: '' }] },
      Memory: spec.memoryBytes,
      // No swap: the flavor's memory is the cap, and going over it ends the instance (OOMKilled).
      MemorySwap: spec.memoryBytes,
      NanoCpus: Math.round(spec.cpus * 1e9),
      PidsLimit: 4096,
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      // Anvil's runtime image writes nowhere but /tmp; a custom image may expect its own writable folders.
      ReadonlyRootfs: spec.readonlyRootfs ?? !spec.image,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${SCRATCH_BYTES}` },
      Binds: [...(ctx.modelSource ? [`${ctx.modelSource}:${MODEL_MOUNT}:ro`] : []), ...(ctx.jobOutput ? [`${ctx.jobOutput}:${JOB_OUTPUT_MOUNT}:rw`] : [])],
      Init: true,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      ...(gpuIds.length ? { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: gpuIds, Capabilities: [['gpu']] }] } : {}),
    },
  };
}
