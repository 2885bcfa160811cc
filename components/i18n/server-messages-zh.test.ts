import { describe, expect, it } from 'vitest';
import { ZCreateProjectSchema, ZCreateUserSchema, ZSwitchProjectSchema } from '@/server/contracts/admin';
import { ZCreateAppSchema } from '@/server/contracts/apps';
import { ZAlarmRuleSchema } from '@/server/contracts/alarms';
import { ZBucketNameSchema, ZFolderNameSchema } from '@/server/contracts/obs';
import { ZCreateServiceSchema } from '@/server/contracts/services';
import { ZTrainingJobSchema } from '@/server/contracts/training';
import { checkOperation, SERVICE_OPERATIONS } from '@/server/contracts/service-lifecycle';
import { SERVICE_STATUSES } from '@/server/contracts/services';
import { serverMessageZh } from './server-messages-zh';

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues.map((i) => i.message) ?? [];

describe('Chinese for server and schema messages', () => {
  it('translates every message the shared form schemas produce for bad input', () => {
    const messages = [
      ...messagesOf(ZCreateAppSchema.safeParse({ name: 'a b', version: 'x', sourceUri: 's3://x', deployTypes: [], docs: [1, 2, 3, 4].map(() => ({ name: 'd', url: 'https://a.b' })) })),
      ...messagesOf(ZCreateAppSchema.safeParse({ name: '', sourceUri: 'obs://bucket/has space' })),
      ...messagesOf(ZCreateAppSchema.safeParse({ name: 'a', sourceUri: 'obs://bucket/m', docs: [{ name: 'd', url: 'javascript:alert(1)' }], startCommand: 'sh run.sh' })),
      ...messagesOf(ZCreateServiceSchema.safeParse({ name: 'a'.repeat(65), appId: '', flavor: '', instanceCount: 0, deployTimeoutMinutes: 121, autoStop: { enabled: true, hours: 0.5 }, envs: [{ key: 'PORT', value: '' }, { key: '1x', value: '' }] })),
      ...messagesOf(ZCreateServiceSchema.safeParse({ name: 'x', appId: 'a', flavor: 'f', instanceCount: 200, deployTimeoutMinutes: 2, autoStop: { enabled: true, hours: 25 }, envs: [{ key: 'A', value: '' }, { key: 'A', value: '' }] })),
      ...messagesOf(ZBucketNameSchema.safeParse('No')),
      ...messagesOf(ZFolderNameSchema.safeParse('a/b')),
      ...messagesOf(ZCreateProjectSchema.safeParse({ name: 'Team B' })),
      ...messagesOf(ZCreateUserSchema.safeParse({ name: '1bob', password: 'short', projectIds: [] })),
      ...messagesOf(ZCreateUserSchema.safeParse({ name: 'b'.repeat(33), password: 'p'.repeat(129), projectIds: ['x'] })),
      ...messagesOf(ZSwitchProjectSchema.safeParse({ projectId: '' })),
      ...messagesOf(ZAlarmRuleSchema.safeParse({ name: '', scope: 'service', metric: '', statistic: 'avg', comparison: '>', threshold: NaN, periodMinutes: 7, consecutivePeriods: 0.5, severity: 'info', webhookUrl: 'ftp://x' })),
      ...messagesOf(ZTrainingJobSchema.safeParse({ name: '1x', codeDir: 'http://x', bootFile: '../a.sh', outputDir: '', flavor: '', hyperparameters: [{ name: 'a b', value: 'v'.repeat(257) }] })),
      ...messagesOf(ZTrainingJobSchema.safeParse({ name: '', description: 'd'.repeat(257), codeDir: 'obs://b/c', bootFile: '', outputDir: 'obs://b/o', flavor: 'f', hyperparameters: [{ name: 'a', value: '' }, { name: 'a', value: '' }] })),
      ...messagesOf(ZAlarmRuleSchema.safeParse({ name: 'r', scope: 'version', metric: 'm', statistic: 'avg', comparison: '>', threshold: 1, periodMinutes: 1, consecutivePeriods: 11, severity: 'info' })),
    ];
    expect(messages.length).toBeGreaterThan(15);
    expect(messages.filter((m) => serverMessageZh(m) === m)).toEqual([]);
  });

  it('translates every refusal of the service state machine', () => {
    const reasons = SERVICE_STATUSES.flatMap((status) => SERVICE_OPERATIONS.map((op) => checkOperation(status, op))).flatMap((c) => (c.isAllowed ? [] : [c.reason]));
    expect(reasons).toHaveLength(17);
    expect(reasons.filter((m) => serverMessageZh(m) === m || /[a-z]{4}/.test(serverMessageZh(m)))).toEqual([]);
  });

  it('translates messages with names in them and leaves unknown ones as sent', () => {
    expect(serverMessageZh('A service named iris-svc already exists.')).toBe('名为 iris-svc 的服务已存在。');
    expect(serverMessageZh('A running service cannot be started; start is allowed when the service is stopped, failed.')).toBe('运行中状态的服务不能启动；启动仅在服务为停止、异常时可用。');
    expect(serverMessageZh('Too many failed logins for this user; try again in 300 seconds.')).toBe('该用户登录失败次数过多，请在 300 秒后重试。');
    expect(serverMessageZh('Failed to stop service iris: engine unreachable')).toBe('停止服务 iris 失败：engine unreachable');
    expect(serverMessageZh('Something new happened.')).toBe('Something new happened.');
  });
});
