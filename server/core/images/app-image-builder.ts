/**
 * Builds an AI application's image for the container runtime (guide §2.6 A33/A34/A38/A39, table
 * 3-15 S4/S5/S7): Anvil's runtime image + the model package + its `dependencies`, installed with
 * pip from the wheels shipped in the package (no index is reachable; ANVIL_PIP_INDEX_URL when set).
 * Images are tagged by a hash of everything that goes in, so an unchanged package is a cache hit;
 * two instances asking at once share one build.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { TModelConfig } from '../registry/config-schema';

export const APP_IMAGE_REPO = 'anvil-app';
const SITE_PACKAGES = '/opt/anvil/site-packages';
const LOG_TAIL_CHARS = 4000;

export type TAppToBuild = { id: string; name: string; version: string; modelDir: string; config: TModelConfig };
export type TBuildNotices = {
  /** A build starts (A34 on the app, S4 on the service). */
  started(): void;
  /** The image is there already (A38). */
  cached(): void;
  built(): void;
  /** The build failed: `log` is the tail of docker build's output (A39, S5). */
  failed(log: string): void;
};

/** True when an application has packages to install: it cannot run as Anvil's runtime image with the model mounted. */
export function installsPackages(config: TModelConfig): boolean {
  return (config.dependencies ?? []).some((d) => d.packages.length > 0);
}

/** pip requirement for a config.json package (restraint EXACT / ATLEAST / ATMOST, guide table 4-6). */
export function requirementOf(p: { package_name: string; package_version?: string; restraint?: string }): string {
  if (!p.package_version) return p.package_name;
  const op = { EXACT: '==', ATLEAST: '>=', ATMOST: '<=' }[p.restraint ?? 'EXACT'] ?? '==';
  return `${p.package_name}${op}${p.package_version}`;
}

/** The Dockerfile of an application image: the runtime image, the model, then each pip installation in order. */
export function appDockerfile(runtimeImage: string, app: TAppToBuild, pipIndexUrl?: string): string {
  const installs = (app.config.dependencies ?? [])
    .filter((d) => d.packages.length)
    .map((d) => {
      const source = pipIndexUrl ? `--index-url ${shellQuote(pipIndexUrl)} --find-links /opt/anvil/model/wheels` : '--no-index --find-links /opt/anvil/model/wheels';
      return `RUN python3 -m pip install --disable-pip-version-check --no-cache-dir ${source} --target ${SITE_PACKAGES} ${d.packages.map((p) => shellQuote(requirementOf(p))).join(' ')}`;
    });
  return [
    `FROM ${runtimeImage}`,
    'USER root',
    'COPY model/ /opt/anvil/model/',
    ...installs,
    `RUN chmod -R a+rX /opt/anvil && python3 -m compileall -q /opt/anvil/model ${installs.length ? SITE_PACKAGES : ''}`.trimEnd(),
    `ENV PYTHONPATH=${SITE_PACKAGES}`,
    'USER 65534:65534',
    `LABEL anvil.app="${app.id}"`,
    '',
  ].join('\n');
}

export class AppImageBuilder {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly opts: { runtimeImage: string; pipIndexUrl?: string }) {}

  /** The application's image on the engine `docker`, built unless an identical one is there. */
  async imageFor(docker: Docker, nodeName: string, app: TAppToBuild, notices: TBuildNotices): Promise<string> {
    const dockerfile = appDockerfile(this.opts.runtimeImage, app, this.opts.pipIndexUrl);
    const tag = `${APP_IMAGE_REPO}/${app.id}:${contentHash(dockerfile, app.modelDir)}`;
    const key = `${nodeName}\0${tag}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const build = this.build(docker, tag, dockerfile, app, notices).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, build);
    return build;
  }

  private async build(docker: Docker, tag: string, dockerfile: string, app: TAppToBuild, notices: TBuildNotices): Promise<string> {
    if (await docker.getImage(tag).inspect().then(() => true, () => false)) {
      notices.cached();
      return tag;
    }
    notices.started();
    const context = fs.mkdtempSync(path.join(path.dirname(app.modelDir), '.build-'));
    let log = '';
    try {
      fs.writeFileSync(path.join(context, 'Dockerfile'), dockerfile);
      fs.cpSync(app.modelDir, path.join(context, 'model'), { recursive: true });
      const stream = await docker.buildImage({ context, src: ['Dockerfile', 'model'] }, { t: tag, rm: true, forcerm: true, labels: { 'anvil.managed': 'true' } });
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(
          stream,
          (err: Error | null, output: { error?: string }[]) => {
            const failed = output?.find((o) => o.error);
            if (err || failed) reject(new Error(err?.message ?? failed!.error));
            else resolve();
          },
          (event: { stream?: string; error?: string }) => (log += event.stream ?? (event.error ? `${event.error}\n` : '')),
        ),
      );
      notices.built();
      return tag;
    } catch (e) {
      const tail = `${log}${log.endsWith('\n') || !log ? '' : '\n'}${(e as Error).message}`.slice(-LOG_TAIL_CHARS);
      notices.failed(tail);
      throw new Error(`failed to build the image of ${app.name} ${app.version}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
  }
}

/** Hash of the Dockerfile (runtime image, packages, index) and of every file of the model, by path and content. */
function contentHash(dockerfile: string, modelDir: string): string {
  const hash = crypto.createHash('sha256').update(dockerfile);
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(modelDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(child);
      else if (d.isFile()) hash.update(`\0${child}\0`).update(fs.readFileSync(path.join(modelDir, child)));
    }
  };
  walk('');
  return hash.digest('hex').slice(0, 16);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
