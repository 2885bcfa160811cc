/**
 * socket.io adapter of CloudShell: the `/cloudshell` namespace. A socket carries at most one shell
 * session: `open` (zod-checked) starts it, `input`/`resize` feed it, `output` chunks go back with an
 * acknowledgement each (the core's flow control), and `closed` says why it ended, after which the
 * namespace socket is disconnected. Sockets are authenticated like the live-updates socket (same
 * handshake Origin check, same session cookie) and live only as long as their session.
 */
import type { Namespace, Socket } from 'socket.io';
import {
  CLOUD_SHELL_NAMESPACE, ZOpenShellSchema, ZShellInputSchema, ZShellSizeSchema,
  type TOpenShellResult, type TShellClientToServer, type TShellServerToClient,
} from '../contracts/cloud-shell';
import type { TAnvilCore } from '../core/anvil-core';
import { CoreError } from '../core/errors';
import { tokenHash } from '../core/iam/iam';
import type { TIdentity } from '../core/iam/identity';
import type { ShellSession } from '../core/shell/shell-session';
import { sessionToken } from '../rest/http-io';

type TShellSocketData = { identity: TIdentity; token: string; tokenHash: string; expiresAt: number };
type TShellSocket = Socket<TShellClientToServer, TShellServerToClient, never, TShellSocketData>;
export type TShellNamespace = Namespace<TShellClientToServer, TShellServerToClient, never, TShellSocketData>;

/** setTimeout's limit; a later expiry is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Adds the `/cloudshell` namespace to Anvil's socket.io server (the one `attachLiveUpdates` made, whose handshake checks Origin). */
export function attachCloudShell(core: Pick<TAnvilCore, 'iam' | 'bus' | 'cloudShell'>, io: { of(name: string): unknown }): TShellNamespace {
  const nsp = io.of(CLOUD_SHELL_NAMESPACE) as TShellNamespace;
  const sessions = new Map<TShellSocket, ShellSession>();

  const resolve = (token: string) => {
    const found = core.iam.resolveToken(token, 'session');
    return found && found !== 'expired' ? found : undefined;
  };

  nsp.use((socket, next) => {
    const token = sessionToken(socket.request);
    const found = token ? resolve(token) : undefined;
    if (!token || !found) return next(new Error('unauthorized'));
    socket.data = { identity: found.identity, token, tokenHash: tokenHash(token), expiresAt: found.expiresAt };
    next();
  });

  /** Ends the socket's shell (with `reason`) and the namespace socket; the browser's other sockets stay. */
  const end = (socket: TShellSocket, reason: 'session-ended' | 'disconnected') => {
    sessions.get(socket)?.close(reason);
    sessions.delete(socket);
    socket.disconnect();
  };

  nsp.on('connection', (socket) => {
    let expiry: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      const left = socket.data.expiresAt - Date.now();
      expiry = setTimeout(() => (socket.data.expiresAt <= Date.now() ? end(socket, 'session-ended') : armExpiry()), Math.min(MAX_TIMER_MS, Math.max(0, left)));
    };
    armExpiry();
    let isOpening = false;

    socket.on('open', async (raw, ack) => {
      // A client may send anything as the acknowledgement; calling a non-function would throw out of socket.io.
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const answer = (result: TOpenShellResult) => reply(result);
      if (!resolve(socket.data.token)) {
        answer({ ok: false, code: 'UNAUTHENTICATED', error: 'unauthorized' });
        return end(socket, 'session-ended');
      }
      if (isOpening || sessions.has(socket)) return answer({ ok: false, code: 'CONFLICT', error: 'This connection already has a shell; open another connection.' });
      const request = ZOpenShellSchema.safeParse(raw);
      if (!request.success) return answer({ ok: false, code: 'INVALID_ARGUMENT', error: request.error.issues[0].message });
      const { serviceId, instanceId, cols, rows } = request.data;
      const { userId, userName, projectId } = socket.data.identity;
      isOpening = true;
      try {
        const session = await core.cloudShell.open({
          userId, userName, projectId, serviceId, instanceId, size: { cols, rows },
          sink: {
            output: (chunk, onDelivered) => void socket.emit('output', chunk, onDelivered),
            closed: (reason, message) => {
              sessions.delete(socket);
              socket.emit('closed', { reason, message });
              socket.disconnect();
            },
          },
        });
        // The browser left while the shell was starting.
        if (socket.disconnected) session.close('disconnected');
        else sessions.set(socket, session);
        answer({ ok: true, sessionId: session.id, idleMinutes: core.cloudShell.limits.idleMs / 60_000 });
      } catch (e) {
        if (e instanceof CoreError) return answer({ ok: false, code: e.code, error: e.message });
        console.error('[cloud-shell] opening a shell failed:', e);
        answer({ ok: false, code: 'INTERNAL', error: 'Internal error; see the Anvil server log.' });
      } finally {
        isOpening = false;
      }
    });

    socket.on('input', (raw) => {
      const data = ZShellInputSchema.safeParse(raw);
      if (data.success) sessions.get(socket)?.input(data.data);
    });

    socket.on('resize', (raw) => {
      const size = ZShellSizeSchema.safeParse(raw);
      if (size.success) sessions.get(socket)?.resize(size.data);
    });

    socket.on('disconnect', () => {
      clearTimeout(expiry);
      sessions.get(socket)?.close('disconnected');
      sessions.delete(socket);
    });
  });

  core.bus.on('token.revoked', ({ tokenHash: revoked, kind }) => {
    if (kind !== 'session') return;
    for (const socket of nsp.sockets.values()) if (socket.data.tokenHash === revoked) end(socket, 'session-ended');
  });
  return nsp;
}
