/**
 * The registry API v2 routes the gate lets through, parsed on the raw request path the same way
 * distribution's router does (its patterns, greedy name), so the repository name the gate checks is
 * the one the registry acts on. A path with anything else (escapes, `..`, unknown routes) matches nothing.
 */
import { REPOSITORY_NAME_PATTERN } from '../../contracts/images';

const NAME = `(${REPOSITORY_NAME_PATTERN})`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[A-Fa-f0-9]{32,}';

const REPOSITORY_ROUTES = [
  new RegExp(`^/v2/${NAME}/tags/list$`),
  new RegExp(`^/v2/${NAME}/manifests/(?:${TAG}|${DIGEST})$`),
  new RegExp(`^/v2/${NAME}/blobs/${DIGEST}$`),
  new RegExp(`^/v2/${NAME}/blobs/uploads/$`),
  new RegExp(`^/v2/${NAME}/blobs/uploads/[a-zA-Z0-9-_.=]+$`),
];

export type TRegistryRoute = { kind: 'base' } | { kind: 'catalog' } | { kind: 'repository'; name: string } | { kind: 'unknown' };

/** What a raw request path (no query) asks for. */
export function parseRegistryPath(pathname: string): TRegistryRoute {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  for (const route of REPOSITORY_ROUTES) {
    const match = route.exec(pathname);
    if (match) return { kind: 'repository', name: match[1] };
  }
  return { kind: 'unknown' };
}

/** Whether a full repository name lies in the project's namespace (`<project>/…`; the bare project name does not). */
export const isInProject = (name: string, project: string): boolean => name.startsWith(`${project}/`) && name.length > project.length + 1;
