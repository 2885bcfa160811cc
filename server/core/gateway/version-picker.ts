/**
 * Which version of a service a request goes to: the first personalized rule that matches (guide
 * §3.1.2, first match wins, with its optional header), else the traffic weights. Weights use
 * smooth weighted round-robin (as nginx does), so any run of 100 requests follows them exactly,
 * not just on average.
 */
import type http from 'node:http';
import type { TIdentity } from '../iam/identity';
import type { TCompiledRule } from './rules/service-rules';
import { evaluateCondition, type TRuleContext } from './rules/spel-condition';

/** Longer header values never match a rule: they would make a rule's regex cost grow with the header. */
export const MAX_RULE_HEADER_CHARS = 4096;

export type TVersionWeight = { id: string; weight: number };
export type TVersionChoice = { versionId: string; header?: [string, string] };

export class WeightedVersions {
  private readonly current: number[];

  constructor(readonly versions: readonly TVersionWeight[]) {
    this.current = versions.map(() => 0);
  }

  next(): string {
    const { versions, current } = this;
    if (versions.length === 1) return versions[0].id;
    let best = 0;
    let total = 0;
    for (let i = 0; i < versions.length; i++) {
      current[i] += versions[i].weight;
      total += versions[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return versions[best].id;
  }
}

/** The rule context of a request: the caller's names (empty for app and service-token callers) and its headers. */
export function ruleContext(headers: http.IncomingHttpHeaders, identity: TIdentity | undefined, project: { id: string; name: string }): TRuleContext {
  return {
    variables: {
      DOMAIN_NAME: identity?.domainName ?? '', DOMAIN_ID: identity?.domainId ?? '',
      PROJECT_NAME: project.name, PROJECT_ID: project.id,
      USER_NAME: identity?.userName ?? '', USER_ID: identity?.userId ?? '',
    },
    header: (name) => {
      const v = headers[name];
      const value = Array.isArray(v) ? v.join(', ') : v;
      return value !== undefined && value.length <= MAX_RULE_HEADER_CHARS ? value : undefined;
    },
  };
}

/** The first matching rule's version and header, else the weights' next version. */
export function pickVersion(rules: readonly TCompiledRule[], weights: WeightedVersions, context: () => TRuleContext): TVersionChoice {
  if (rules.length > 0) {
    const ctx = context();
    for (const rule of rules) {
      if (evaluateCondition(rule.compiled, ctx)) return { versionId: rule.versionId, header: rule.headerName ? [rule.headerName, rule.headerValue] : undefined };
    }
  }
  return { versionId: weights.next() };
}
