/** Whether one period of a metric breaks a rule (pure): its statistic compared with the threshold. */
import type { ALARM_COMPARISONS, ALARM_STATISTICS } from '../../../contracts/alarms';

export type TStatistic = (typeof ALARM_STATISTICS)[number];
export type TComparison = (typeof ALARM_COMPARISONS)[number];

/** The statistic of a period's 1-minute values; null without any (no data never breaks a rule). */
export function statisticOf(values: readonly number[], statistic: TStatistic): number | null {
  if (values.length === 0) return null;
  switch (statistic) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
  }
}

export function breaks(value: number, comparison: TComparison, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '=':
      return value === threshold;
  }
}

/** Consecutive-period bookkeeping of one rule on one target: what the period's result does to it. */
export function nextState(
  state: { breaches: number; isFiring: boolean },
  isBreach: boolean,
  consecutivePeriods: number,
): { breaches: number; isFiring: boolean; change: 'fire' | 'resolve' | null } {
  if (isBreach) {
    const breaches = state.breaches + 1;
    const fires = !state.isFiring && breaches >= consecutivePeriods;
    return { breaches, isFiring: state.isFiring || fires, change: fires ? 'fire' : null };
  }
  return { breaches: 0, isFiring: false, change: state.isFiring ? 'resolve' : null };
}
