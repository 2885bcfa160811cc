import { z } from 'zod';
import type { TAlarmRuleInput } from '../contracts/alarms';
import { authedProcedure, router } from './init';

const ZId = z.object({ id: z.string().min(1) });
/** The core validates rules with ZAlarmRuleSchema and names the field at fault. */
const ZRuleInput = z.record(z.string(), z.unknown());

export const alarmsRouter = router({
  rules: authedProcedure.query(({ ctx }) => ctx.core.monitoring.rules.list(ctx.identity.projectId)),
  createRule: authedProcedure.input(ZRuleInput).mutation(({ ctx, input }) => ctx.core.monitoring.rules.create(ctx.identity.projectId, input as TAlarmRuleInput)),
  updateRule: authedProcedure
    .input(z.object({ id: z.string().min(1), rule: ZRuleInput }))
    .mutation(({ ctx, input }) => ctx.core.monitoring.rules.update(ctx.identity.projectId, input.id, input.rule as TAlarmRuleInput)),
  deleteRule: authedProcedure.input(ZId).mutation(({ ctx, input }) => {
    ctx.core.monitoring.rules.remove(ctx.identity.projectId, input.id);
    return { ok: true };
  }),
  webhookSecret: authedProcedure.input(ZId).query(({ ctx, input }) => ctx.core.monitoring.rules.secret(ctx.identity.projectId, input.id)),
  list: authedProcedure
    .input(z.object({ state: z.enum(['firing', 'resolved']).optional(), serviceId: z.string().optional() }).optional())
    .query(({ ctx, input }) => ctx.core.monitoring.alarms.alarms(ctx.identity.projectId, input ?? {})),
  notifications: authedProcedure.query(({ ctx }) => ctx.core.monitoring.alarms.notifications(ctx.identity.projectId)),
  markRead: authedProcedure.mutation(({ ctx }) => {
    ctx.core.monitoring.alarms.markRead(ctx.identity.projectId);
    return { ok: true };
  }),
});
