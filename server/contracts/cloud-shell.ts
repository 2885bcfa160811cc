/** CloudShell (guide §3.1.6) over socket.io: the `/cloudshell` namespace's messages, shared by the server adapter and the console. */
import { z } from 'zod';

export const CLOUD_SHELL_NAMESPACE = '/cloudshell';
/** Largest `input` message: a paste bigger than this is refused (the console splits it). */
export const MAX_SHELL_INPUT_CHARS = 64 * 1024;

const ZUuid = z.string().regex(/^[0-9a-f-]{36}$/, 'Not an id.');
const ZDimension = z.number().int().min(1).max(1000);

export const ZShellSizeSchema = z.object({ cols: ZDimension, rows: ZDimension });
export const ZOpenShellSchema = ZShellSizeSchema.extend({ serviceId: ZUuid, instanceId: ZUuid });
export const ZShellInputSchema = z.string().max(MAX_SHELL_INPUT_CHARS);

export type TShellSizeInput = z.infer<typeof ZShellSizeSchema>;
export type TOpenShell = z.infer<typeof ZOpenShellSchema>;

/** Why a session ended: the console words each one; `message` is the English text (also in event X15). */
export const SHELL_CLOSE_REASONS = ['idle', 'instance-stopped', 'shell-exited', 'disconnected', 'anvil-closing', 'session-ended'] as const;
export type TShellCloseReason = (typeof SHELL_CLOSE_REASONS)[number];

export type TOpenShellResult = { ok: true; sessionId: string; idleMinutes: number } | { ok: false; code: string; error: string };

export type TShellServerToClient = {
  /** Terminal output; the client calls `ack` once it has written the chunk (flow control). */
  output: (chunk: Uint8Array | ArrayBuffer, ack: () => void) => void;
  closed: (payload: { reason: TShellCloseReason; message: string }) => void;
};

export type TShellClientToServer = {
  open: (request: TOpenShell, ack: (result: TOpenShellResult) => void) => void;
  input: (data: string) => void;
  resize: (size: TShellSizeInput) => void;
};
