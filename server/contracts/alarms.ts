/** Alarm rules (guide §5.2) and what they produce: alarms, console notifications, webhook deliveries. */
import { z } from 'zod';

export const ALARM_STATISTICS = ['avg', 'max', 'min', 'sum'] as const;
export const ALARM_COMPARISONS = ['>', '>=', '<', '<=', '='] as const;
export const ALARM_SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
/** Guide §5.2: a rule on every service, one service, one version (model load); a metric is always named. */
export const ALARM_SCOPES = ['all', 'service', 'version'] as const;

export const ZAlarmRuleSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter a name.').max(64, 'At most 64 characters.'),
    scope: z.enum(ALARM_SCOPES),
    serviceId: z.string().optional(),
    versionId: z.string().optional(),
    metric: z.string().min(1, 'Choose a metric.'),
    statistic: z.enum(ALARM_STATISTICS),
    comparison: z.enum(ALARM_COMPARISONS),
    threshold: z.number({ error: 'Enter a number.' }).finite('Enter a number.'),
    /** Minutes each evaluation covers (the guide's monitoring period is 1 minute). */
    periodMinutes: z.union([z.literal(1), z.literal(5), z.literal(10), z.literal(30), z.literal(60)], { error: 'The period is 1, 5, 10, 30 or 60 minutes.' }),
    /** Periods in a row over the threshold before the alarm fires. */
    consecutivePeriods: z.number().int('A whole number.').min(1, 'At least 1.').max(10, 'At most 10.'),
    severity: z.enum(ALARM_SEVERITIES),
    enabled: z.boolean().default(true),
    notifyConsole: z.boolean().default(true),
    webhookUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'An http(s) URL.' })]).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.scope !== 'all' && !r.serviceId) ctx.addIssue({ code: 'custom', path: ['serviceId'], message: 'Choose a service.' });
    if (r.scope === 'version' && !r.versionId) ctx.addIssue({ code: 'custom', path: ['versionId'], message: 'Choose a version.' });
  });
export type TAlarmRuleInput = z.input<typeof ZAlarmRuleSchema>;

export type TAlarmRule = z.output<typeof ZAlarmRuleSchema> & {
  id: string;
  /** Shown once at creation and on request: the key that signs webhook bodies (HMAC-SHA256). */
  hasWebhookSecret: boolean;
  createdAt: number;
  /** Alarms of this rule firing now. */
  firing: number;
};

export type TAlarm = {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: (typeof ALARM_SEVERITIES)[number];
  serviceId: string;
  versionId: string;
  metric: string;
  state: 'firing' | 'resolved';
  /** The statistic of the period that fired it, then of the one that resolved it. */
  value: number;
  threshold: number;
  comparison: string;
  firedAt: number;
  resolvedAt: number | null;
};

export type TNotification = { id: number; alarmId: string; title: string; message: string; createdAt: number; readAt: number | null };

export type TWebhookDelivery = { id: number; alarmId: string; url: string; event: 'firing' | 'resolved'; attempt: number; status: 'delivered' | 'failed' | 'retrying'; httpStatus: number | null; error: string; at: number };
