/** POST /v3/auth/tokens: IAM-compatible password authentication; the token comes back in X-Subject-Token. */
import type http from 'node:http';
import { ZRestTokenRequestSchema } from '../contracts/rest-auth';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError } from '../core/errors';
import { readJson, sendJson } from './http-io';

export async function issueToken(core: TAnvilCore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const parsed = ZRestTokenRequestSchema.safeParse(await readJson(req));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new CoreError('INVALID_ARGUMENT', `Invalid token request at ${i.path.join('.')}: ${i.message}`);
  }
  const { identity, scope } = parsed.data.auth;
  const project = scope?.project;
  if (!project?.id && !project?.name) {
    throw new CoreError('INVALID_ARGUMENT', 'Scope the token to a project (auth.scope.project.name or .id); domain-scoped tokens cannot call services.');
  }
  const user = identity.password.user;
  const who = await core.iam.authenticate({
    domainName: user.domain.name, userName: user.name, password: user.password, project, clientAddress: req.socket.remoteAddress ?? '',
  });
  const { token, expiresAt } = core.iam.issueToken(who, 'api');
  sendJson(
    res,
    201,
    {
      token: {
        methods: ['password'],
        expires_at: new Date(expiresAt).toISOString(),
        issued_at: new Date().toISOString(),
        user: { id: who.userId, name: who.userName, domain: { id: who.domainId, name: who.domainName } },
        project: { id: who.projectId, name: who.projectName, domain: { id: who.domainId, name: who.domainName } },
      },
    },
    { 'x-subject-token': token },
  );
}
