'use client';
/**
 * One CloudShell terminal (guide §3.1.6): an xterm bound to a `/cloudshell` socket. The terminal
 * lives as long as the component (fitted to its box on every resize); each connection attempt is a
 * socket of its own carrying one shell session, and "Reconnect" makes a new one. Output chunks are
 * acknowledged once xterm has written them, which is what lets the server hold a flood back.
 */
import '@xterm/xterm/css/xterm.css';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  CLOUD_SHELL_NAMESPACE, MAX_SHELL_INPUT_CHARS, type TShellClientToServer, type TShellCloseReason, type TShellServerToClient,
} from '@/server/contracts/cloud-shell';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';

type TShellSocket = Socket<TShellServerToClient, TShellClientToServer>;
type TPhase = { phase: 'connecting' } | { phase: 'connected' } | { phase: 'disconnected'; reason?: TShellCloseReason; message: string };

const DEFAULT_IDLE_MINUTES = 10;

export function CloudShellTerminal({ serviceId, instanceId, canReconnect }: { serviceId: string; instanceId: string; canReconnect: boolean }) {
  const { t, tServer } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | null>(null);
  const socket = useRef<TShellSocket | null>(null);
  const [isReady, setReady] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<TPhase>({ phase: 'connecting' });
  const [idleMinutes, setIdleMinutes] = useState(DEFAULT_IDLE_MINUTES);

  useEffect(() => {
    let isDisposed = false;
    let dispose = () => {};
    // xterm touches the DOM when loaded: only in the browser, after mount.
    void Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]).then(([xterm, addon]) => {
      if (isDisposed || !host.current) return;
      const term = new xterm.Terminal({ cursorBlink: true, fontFamily: 'Menlo, Consolas, "DejaVu Sans Mono", monospace', fontSize: 14, scrollback: 5000 });
      const fit: FitAddon = new addon.FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      term.attachCustomKeyEventHandler((e) => clipboardKeys(term, e));
      const input = term.onData((data) => sendInput(socket.current, data));
      const resize = term.onResize(({ cols, rows }) => socket.current?.connected && socket.current.emit('resize', { cols, rows }));
      const refit = () => fit.fit();
      const observer = new ResizeObserver(refit);
      observer.observe(host.current);
      window.addEventListener('resize', refit);
      terminal.current = term;
      setReady(true);
      dispose = () => {
        window.removeEventListener('resize', refit);
        observer.disconnect();
        input.dispose();
        resize.dispose();
        term.dispose();
        terminal.current = null;
      };
    });
    return () => {
      isDisposed = true;
      dispose();
    };
  }, []);

  useEffect(() => {
    const term = terminal.current;
    if (!isReady || !term) return;
    setState({ phase: 'connecting' });
    // A socket of its own (not the live-updates one): ending this session leaves live updates alone.
    const s: TShellSocket = io(CLOUD_SHELL_NAMESPACE, { path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'], forceNew: true, reconnection: false });
    socket.current = s;
    let isEnded = false;
    const end = (next: TPhase) => {
      if (isEnded) return;
      isEnded = true;
      setState(next);
      s.disconnect();
    };
    s.on('connect', () => {
      s.emit('open', { serviceId, instanceId, cols: term.cols, rows: term.rows }, (result) => {
        if (!result.ok) return end({ phase: 'disconnected', message: result.error });
        setIdleMinutes(result.idleMinutes);
        setState({ phase: 'connected' });
        term.focus();
      });
    });
    s.on('output', (chunk, ack) => term.write(new Uint8Array(chunk), ack));
    s.on('closed', ({ reason, message }) => end({ phase: 'disconnected', reason, message }));
    s.on('disconnect', () => end({ phase: 'disconnected', reason: 'disconnected', message: 'the connection was lost' }));
    s.on('connect_error', (e) => end({ phase: 'disconnected', message: e.message }));
    return () => {
      isEnded = true;
      socket.current = null;
      s.disconnect();
    };
  }, [isReady, attempt, serviceId, instanceId]);

  const reason =
    state.phase !== 'disconnected' ? ''
    : state.reason ? t(`cloudShell.reason.${state.reason}` as TMessageKey, { minutes: idleMinutes })
    : tServer(state.message);
  return (
    <div className="cloud-shell">
      <div className="toolbar">
        <span data-testid="cloud-shell-status" data-state={state.phase} title={state.phase === 'disconnected' ? state.message : undefined} className={state.phase === 'connected' ? 'live-dot' : 'live-off'}>
          ● {state.phase === 'connecting' ? t('cloudShell.connecting') : state.phase === 'connected' ? t('cloudShell.connected') : t('cloudShell.disconnected', { reason })}
        </span>
        <button type="button" className="btn btn-small" disabled={state.phase !== 'disconnected' || !canReconnect} onClick={() => setAttempt((n) => n + 1)}>
          {t('cloudShell.reconnect')}
        </button>
        <span className="muted">{t('cloudShell.hint', { minutes: idleMinutes })}</span>
      </div>
      <div ref={host} data-testid="cloud-shell-terminal" style={{ height: '420px', background: '#000', padding: '4px' }} />
    </div>
  );
}

/** Keystrokes and pastes, split to the server's message limit; nothing is queued while disconnected. */
function sendInput(socket: TShellSocket | null, data: string): void {
  if (!socket?.connected) return;
  for (let i = 0; i < data.length; i += MAX_SHELL_INPUT_CHARS) socket.emit('input', data.slice(i, i + MAX_SHELL_INPUT_CHARS));
}

/** Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (Ctrl+C stays the shell's interrupt). */
function clipboardKeys(term: Terminal, e: KeyboardEvent): boolean {
  if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || (e.code !== 'KeyC' && e.code !== 'KeyV')) return true;
  e.preventDefault();
  if (e.code === 'KeyC') {
    const selection = term.getSelection();
    if (selection) void navigator.clipboard?.writeText(selection).catch(() => undefined);
  } else {
    void navigator.clipboard?.readText().then((text) => term.paste(text), () => undefined);
  }
  return false;
}
