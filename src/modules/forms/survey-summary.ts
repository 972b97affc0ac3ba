import type { SurveyKind } from './submission-input.js';

/** What the database counts per group: answers, the sum of their scores, the high (CSAT 4–5, NPS 9–10) and low (CSAT 1–2, NPS 0–6) ones. */
export interface SurveyGroupCounts {
  count: number;
  scoreSum: number;
  high: number;
  low: number;
}

/** A group's numbers. Percentages have one decimal, averages two; null when the group has no answers. */
export interface SurveyStats {
  count: number;
  /** The mean score. */
  average: number | null;
  /** CSAT: answers of 4 or 5, and their share (%). */
  satisfied?: number;
  satisfied_pct?: number | null;
  /** NPS: promoters (9–10), passives (7–8), detractors (0–6), their shares and the score (% promoters − % detractors, −100 to 100). */
  promoters?: number;
  passives?: number;
  detractors?: number;
  promoters_pct?: number | null;
  detractors_pct?: number | null;
  nps?: number | null;
}

export interface SurveySummary {
  kind: SurveyKind;
  total: SurveyStats;
  /** Most answers first; `queue: null` holds the answers about no queue. */
  by_queue: Array<SurveyStats & { queue: string | null }>;
  by_agent: Array<SurveyStats & { agent: string | null }>;
}

/**
 * The summary's arithmetic, on counts: CSAT average and % satisfied (4–5); NPS = % promoters
 * (9–10) − % detractors (0–6), each share of all answers, rounded once at the end.
 *
 * @example statsOf('nps', { count: 10, scoreSum: 75, high: 5, low: 2 }) // { count: 10, average: 7.5, promoters: 5, passives: 3, detractors: 2, promoters_pct: 50, detractors_pct: 20, nps: 30 }
 */
export function statsOf(kind: SurveyKind, counts: SurveyGroupCounts): SurveyStats {
  const { count, scoreSum, high, low } = counts;
  const share = (part: number): number | null => (count === 0 ? null : Math.round((1000 * part) / count) / 10);
  const average = count === 0 ? null : Math.round((100 * scoreSum) / count) / 100;
  if (kind === 'csat') return { count, average, satisfied: high, satisfied_pct: share(high) };
  return {
    count,
    average,
    promoters: high,
    passives: count - high - low,
    detractors: low,
    promoters_pct: share(high),
    detractors_pct: share(low),
    nps: count === 0 ? null : Math.round((1000 * (high - low)) / count) / 10,
  };
}

/** The whole summary from the total's counts and the per-queue and per-agent ones. */
export function summarise(
  kind: SurveyKind,
  total: SurveyGroupCounts,
  byQueue: ReadonlyArray<SurveyGroupCounts & { key: string | null }>,
  byAgent: ReadonlyArray<SurveyGroupCounts & { key: string | null }>,
): SurveySummary {
  const order = (a: { key: string | null; count: number }, b: { key: string | null; count: number }) => b.count - a.count || String(a.key ?? '').localeCompare(String(b.key ?? ''));
  return {
    kind,
    total: statsOf(kind, total),
    by_queue: [...byQueue].sort(order).map((group) => ({ queue: group.key, ...statsOf(kind, group) })),
    by_agent: [...byAgent].sort(order).map((group) => ({ agent: group.key, ...statsOf(kind, group) })),
  };
}
