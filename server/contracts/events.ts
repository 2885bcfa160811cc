/** Event records of AI applications and services, and how their messages render in each language. */
import { z } from 'zod';
import { GUIDE_EVENT_MESSAGES } from './guide-event-messages';

/** Anvil's own events, for what the guide's tables do not name (process-runtime instance lifecycle). */
const ANVIL_EVENT_MESSAGES = {
  X1: { type: 'abnormal', en: 'Instance %s exited unexpectedly (%s), restarting it.', zh: '实例xxx异常退出（xxx），正在重启。' },
  X2: { type: 'normal', en: 'Instance %s is ready.', zh: '实例xxx已就绪。' },
  X3: { type: 'abnormal', en: 'Instance %s failed to start: %s', zh: '实例xxx启动失败：xxx' },
  X4: { type: 'abnormal', en: 'Instance %s failed %s health checks in a row; it no longer receives requests.', zh: '实例xxx连续xxx次健康检查失败，已停止向其转发请求。' },
  X5: { type: 'normal', en: 'Instance %s passes its health check again and receives requests.', zh: '实例xxx健康检查恢复，重新接收请求。' },
  X6: { type: 'abnormal', en: 'Instance %s failed %s health checks in a row; restarting it.', zh: '实例xxx连续xxx次健康检查失败，正在重启。' },
  X7: { type: 'abnormal', en: 'Instance %s failed its startup probe %s times in a row; restarting it.', zh: '实例xxx启动探针连续xxx次失败，正在重启。' },
  X8: { type: 'abnormal', en: 'Instance %s failed its liveness probe %s times in a row; restarting it.', zh: '实例xxx存活探针连续xxx次失败，正在重启。' },
  // AI-application import (X10+): the reason behind A28 where the guide has no text for it.
  X10: { type: 'abnormal', en: 'Import interrupted: Anvil stopped while the model was being imported.', zh: '导入中断：导入模型期间Anvil已停止。' },
  X11: { type: 'abnormal', en: 'Import failed: %s', zh: '导入失败：xxx' },
  X12: { type: 'abnormal', en: 'In config.json, %s %s', zh: 'config.json中的xxx：xxx' },
  X13: { type: 'abnormal', en: 'Anvil does not support %s yet: %s', zh: 'Anvil暂不支持xxx：xxx' },
  // CloudShell (§3.1.6): who opened a terminal on which instance, and why it closed.
  X14: { type: 'normal', en: 'CloudShell session opened by %s on instance %s.', zh: '用户xxx在实例xxx上打开了CloudShell会话。' },
  X15: { type: 'normal', en: 'CloudShell session of %s on instance %s closed: %s', zh: '用户xxx在实例xxx上的CloudShell会话已关闭：xxx' },
  // Alarm rules (guide §5.2): what fired, on which value, and when it cleared.
  X16: { type: 'abnormal', en: 'Alarm %s (%s) is firing: %s', zh: '告警xxx（xxx）已触发：xxx' },
  X17: { type: 'normal', en: 'Alarm %s is resolved: %s', zh: '告警xxx已恢复：xxx' },
} as const;

export const EVENT_MESSAGES = { ...GUIDE_EVENT_MESSAGES, ...ANVIL_EVENT_MESSAGES };
export type TEventCode = keyof typeof EVENT_MESSAGES;
export type TLang = 'en' | 'zh';

export const ZEventRecordSchema = z.object({
  id: z.number(),
  resourceType: z.enum(['app', 'service']),
  resourceId: z.string(),
  code: z.string(),
  type: z.enum(['normal', 'abnormal', 'hint']),
  args: z.array(z.string()),
  message: z.string(),
  createdAt: z.number(),
});
export type TEventRecord = z.infer<typeof ZEventRecordSchema>;

/** Where the guide's Chinese text has fewer placeholders than the English, which arguments it shows. */
const ZH_ARGS: Partial<Record<TEventCode, (args: readonly string[]) => string[]>> = {
  A10: (a) => [a[0], a[2]],
  S5: (a) => [`${a[0]} ${a[1]}`, a[2]],
  S21: (a) => [a[1]],
};

/** Fills the placeholders (`%s`/`%d` in English, `xxx` in Chinese) in order. */
export function formatEventMessage(code: string, args: readonly string[], lang: TLang): string {
  const entry = EVENT_MESSAGES[code as TEventCode];
  if (!entry) return code;
  const values = lang === 'zh' ? (ZH_ARGS[code as TEventCode]?.(args) ?? args) : args;
  let i = 0;
  const next = () => values[i++] ?? '';
  return lang === 'zh' ? entry.zh.replace(/xxx/g, next) : entry.en.replace(/%[sd]/g, next);
}
