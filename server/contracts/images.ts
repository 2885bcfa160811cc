/** The image repository (SWR-style): shapes shared by tRPC, REST and the console's repository page. */
import { z } from 'zod';

/**
 * One path component of a Docker repository name: distribution's grammar with its separator
 * `[-]*` written `-+` (the same names), because JavaScript backtracks where Go's RE2 does not and
 * an empty separator makes matching exponential.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const REPOSITORY_NAME_PATTERN = `${COMPONENT}(?:/${COMPONENT})*`;

/** A repository inside the project's namespace: `team/app` for `<address>/<project>/team/app`. */
export const ZImageRepositoryNameSchema = z
  .string()
  .min(1, 'Enter a repository name.')
  .max(200, 'At most 200 characters.')
  .regex(new RegExp(`^${REPOSITORY_NAME_PATTERN}$`), 'Lowercase letters and digits, separated by ".", "_", "-" or "/".');

export const ZImageTagSchema = z.string().regex(/^[\w][\w.-]{0,127}$/, 'A tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-".');

export const ZImageTagRefSchema = z.object({ repository: ZImageRepositoryNameSchema, tag: ZImageTagSchema });
export type TImageTagRef = z.infer<typeof ZImageTagRefSchema>;

export type TImageTag = {
  tag: string;
  /** The manifest digest (`sha256:…`); deleting the tag deletes this manifest. */
  digest: string;
  /** Sum of the compressed layer sizes in the manifest. */
  sizeBytes: number;
  /** When the image was built (its config's `created`), epoch ms; null when the config does not say. */
  createdAt: number | null;
  /** When the tag was last pushed, epoch ms; known for the registry Anvil runs, null for ANVIL_REGISTRY_URL. */
  pushedAt: number | null;
};

export type TImageRepository = {
  /** The name inside the project: `team/app`. */
  name: string;
  /** What `docker pull` takes, without a tag: `127.0.0.1:5000/<project>/team/app`. */
  path: string;
  tags: TImageTag[];
};

export type TRegistryCredential = { username: string; password: string; createdAt: number };

/** Why the repository cannot be used right now; the console translates the code and shows the detail. */
export const REGISTRY_PROBLEMS = ['not-installed', 'gate-unavailable', 'registry-down', 'not-configured'] as const;
export type TRegistryProblem = (typeof REGISTRY_PROBLEMS)[number];

export type TImageRepositoryStatus = {
  /** `managed`: Anvil runs docker-registry itself; `external`: ANVIL_REGISTRY_URL. */
  mode: 'managed' | 'external';
  /** Where `docker login` and `docker push` go: host:port of the gate. */
  address: string;
  problem: { code: TRegistryProblem; detail: string } | null;
};

export type TDeleteTagResult = {
  /** Every tag the deletion removed: the asked one plus others that named the same manifest. */
  removedTags: string[];
};

/** The shell lines the repository page shows for a project: login (docker asks for the password, or reads it from stdin), tag, push. */
export function pushCommands(address: string, username: string, project: string) {
  return {
    login: `docker login ${address} --username ${username}`,
    loginStdin: `docker login ${address} --username ${username} --password-stdin`,
    tag: `docker tag <image>:<tag> ${address}/${project}/<repository>:<tag>`,
    push: `docker push ${address}/${project}/<repository>:<tag>`,
  };
}
