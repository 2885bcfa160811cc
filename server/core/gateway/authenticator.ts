/**
 * Who is calling a service, and may they (guide §3.1.4.2): an IAM token (`X-Auth-Token`), an
 * AK/SK or AppKey/AppSecret signature (`Authorization: SDK-HMAC-SHA256 …`), an AppCode
 * (`X-Apig-AppCode`), an AppKey alone (`apikey`), the service's own token (`Authorization: Bearer`),
 * or the console's session. A signature over the body needs the body first: that case comes back
 * as `pending` and is finished by `verifySigned` once the gateway has read it.
 */
import type http from 'node:http';
import type { TAppMaterial } from '../access/auth-apps';
import { sameSecret } from '../access/secret-box';
import type { TIdentity } from '../iam/identity';
import { now } from '../ids';
import { parseSdkAuthorization, verifySdkSignature, type TSdkAuthorization } from './auth/sdk-signature';
import type { CredentialCache } from './credential-cache';
import type { TRefusal } from './gateway-errors';
import type { GatewayCredentials } from './gateway-credentials';

export type TCallerKind = 'token' | 'session' | 'aksk' | 'app-signature' | 'app-code' | 'app-key' | 'service-token';
export type TCaller = {
  kind: TCallerKind;
  /** The user behind a token, session or access key, in the service's project. */
  identity?: TIdentity;
  app?: { id: string; name: string };
  /** Who, in a word, for metrics and traces: a user name, an app name or "service token". */
  name: string;
};

/** What a route tells the authenticator. */
export type TAccessRoute = { serviceId: string; projectId: string; appAuth: boolean; serviceToken: string | undefined };

export type TPendingSignature = { auth: TSdkAuthorization; secret: string; signer: { accessKey: string } | { app: TAppMaterial } };
export type TAuthOutcome = { caller: TCaller } | { refusal: TRefusal } | { pending: TPendingSignature };

const SIGNATURE_FAIL = 'verify aksk signature fail';

export class Authenticator {
  constructor(private readonly deps: { credentials: GatewayCredentials; tokens: CredentialCache; onSigned?: (accessKey: string) => void }) {}

  /** The caller from the request's headers; `sessionToken` counts only with the console's own header. */
  authenticate(headers: http.IncomingHttpHeaders, route: TAccessRoute, sessionToken: string | undefined): TAuthOutcome {
    const authorization = headers.authorization;
    if (authorization) {
      const sdk = parseSdkAuthorization(authorization);
      if (sdk) return 'problem' in sdk ? { refusal: { error: 'IAM_AUTH_FAILED', detail: SIGNATURE_FAIL } } : this.signer(sdk);
      return this.serviceToken(authorization, route);
    }
    const appCode = first(headers['x-apig-appcode'] ?? headers['x-api-appcode']);
    if (appCode) {
      const app = this.deps.credentials.appByCode(appCode);
      return app ? this.appMayCall(app, route, 'app-code') : { refusal: { error: 'APP_AUTH_FAILED', detail: 'AppCode not found' } };
    }
    const apiKey = first(headers.apikey);
    if (apiKey) {
      const app = this.deps.credentials.appByKey(apiKey);
      return app ? this.appMayCall(app, route, 'app-key') : { refusal: { error: 'APP_AUTH_FAILED', detail: `app not found, appkey ${apiKey.slice(0, 64)}` } };
    }
    const token = first(headers['x-auth-token']);
    const session = headers['x-anvil-console'] ? sessionToken : undefined;
    if (token || session) {
      const kind = token ? 'api' : 'session';
      const check = this.deps.tokens.check((token ?? session)!, kind);
      if ('problem' in check) return { refusal: { error: 'IAM_AUTH_FAILED', detail: check.problem === 'expired' ? 'token expired' : 'decrypt token fail' } };
      if (check.identity.projectId !== route.projectId) return { refusal: { error: 'IAM_NOT_AUTHORIZED', detail: 'the token is scoped to another project than the service' } };
      return { caller: { kind: token ? 'token' : 'session', identity: check.identity, name: check.identity.userName } };
    }
    return { refusal: { error: 'IAM_AUTH_FAILED', detail: 'no credentials; send X-Auth-Token, an SDK-HMAC-SHA256 signature, APP credentials or the service token' } };
  }

  /** Finishes a signature check once the payload hash is known (the header's value or the body's SHA-256). */
  verifySigned(pending: TPendingSignature, request: { method: string; rawTarget: string; headers: http.IncomingHttpHeaders; payloadHash: string }, route: TAccessRoute): TAuthOutcome {
    const t = now();
    const result = verifySdkSignature({ ...request, auth: pending.auth, secret: pending.secret, nowMs: t });
    const isApp = 'app' in pending.signer;
    if (!result.ok) {
      if (!isApp && !result.expired) this.deps.credentials.noteFailure(pending.auth.accessKey, t);
      return { refusal: { error: isApp ? 'APP_AUTH_FAILED' : 'IAM_AUTH_FAILED', detail: result.reason } };
    }
    if ('app' in pending.signer) return this.appMayCall(pending.signer.app, route, 'app-signature');
    this.deps.credentials.noteSuccess(pending.auth.accessKey);
    this.deps.onSigned?.(pending.auth.accessKey);
    const key = this.deps.credentials.accessKey(pending.auth.accessKey);
    const identity = key && this.deps.credentials.identityIn(key.userId, route.projectId);
    if (!identity) return { refusal: { error: 'IAM_NOT_AUTHORIZED', detail: 'the key\'s user is not a member of the service\'s project' } };
    return { caller: { kind: 'aksk', identity, name: identity.userName } };
  }

  private signer(auth: TSdkAuthorization): TAuthOutcome {
    const key = this.deps.credentials.accessKey(auth.accessKey);
    if (key) {
      if (!key.isActive) return { refusal: { error: 'IAM_AUTH_FAILED', detail: 'the access key is disabled' } };
      if (this.deps.credentials.isLocked(auth.accessKey, now())) {
        return { refusal: { error: 'IAM_AUTH_FAILED', detail: 'the access key is locked for 5 minutes after 5 failed signatures in a row' } };
      }
      return { pending: { auth, secret: key.secret, signer: { accessKey: auth.accessKey } } };
    }
    const app = this.deps.credentials.appByKey(auth.accessKey);
    if (app) return { pending: { auth, secret: app.secret, signer: { app } } };
    return { refusal: { error: 'IAM_AUTH_FAILED', detail: SIGNATURE_FAIL } };
  }

  private serviceToken(authorization: string, route: TAccessRoute): TAuthOutcome {
    const presented = authorization.replace(/^Bearer\s+/i, '').trim();
    if (route.serviceToken && sameSecret(presented, route.serviceToken)) return { caller: { kind: 'service-token', name: 'service token' } };
    return { refusal: { error: 'AUTH_FAILED', detail: 'the service token does not match' } };
  }

  private appMayCall(app: TAppMaterial, route: TAccessRoute, kind: 'app-code' | 'app-key' | 'app-signature'): TAuthOutcome {
    if (!route.appAuth) return { refusal: { error: 'APP_NOT_AUTHORIZED', detail: 'APP authentication is off for this service' } };
    if (!app.serviceIds.includes(route.serviceId)) return { refusal: { error: 'APP_NOT_AUTHORIZED', detail: `app ${app.name} is not bound to this service` } };
    return { caller: { kind, app: { id: app.id, name: app.name }, name: app.name } };
  }
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
