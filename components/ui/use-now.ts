'use client';
import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs` while the component is mounted (countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const UNITS = { en: [' h ', ' min ', ' s'], zh: [' 小时 ', ' 分 ', ' 秒'] } as const;

/** "1 h 05 min 09 s" (or "1 小时 05 分 09 秒") remaining time; never negative. */
export function formatRemaining(ms: number, lang: 'en' | 'zh' = 'en'): string {
  const [hu, mu, su] = UNITS[lang];
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}${hu}${pad(m)}${mu}${pad(s)}${su}` : m > 0 ? `${m}${mu}${pad(s)}${su}` : `${s}${su}`;
}
