import { describe, expect, it } from 'vitest';
import { statsOf, summarise } from './survey-summary.js';

describe('survey summary arithmetic', () => {
  it('CSAT: the average and the share of 4s and 5s', () => {
    // Scores 5, 4, 3, 1, 5: sum 18, three satisfied.
    expect(statsOf('csat', { count: 5, scoreSum: 18, high: 3, low: 1 })).toEqual({ count: 5, average: 3.6, satisfied: 3, satisfied_pct: 60 });
    // 2 of 3 satisfied: 66.7 %, rounded once.
    expect(statsOf('csat', { count: 3, scoreSum: 12, high: 2, low: 0 })).toMatchObject({ average: 4, satisfied_pct: 66.7 });
  });

  it('NPS: % promoters (9–10) − % detractors (0–6)', () => {
    // 10, 9, 8, 7, 6, 0, 10, 3, 9, 10: five promoters, two passives, three detractors.
    expect(statsOf('nps', { count: 10, scoreSum: 72, high: 5, low: 3 })).toEqual({ count: 10, average: 7.2, promoters: 5, passives: 2, detractors: 3, promoters_pct: 50, detractors_pct: 30, nps: 20 });
    expect(statsOf('nps', { count: 3, scoreSum: 0, high: 0, low: 3 })).toMatchObject({ nps: -100 });
    // 1 promoter of 3, no detractor: 33.3, not 33.333...
    expect(statsOf('nps', { count: 3, scoreSum: 25, high: 1, low: 0 })).toMatchObject({ nps: 33.3, promoters_pct: 33.3 });
  });

  it('no answers: count 0 and nulls, never NaN', () => {
    expect(statsOf('csat', { count: 0, scoreSum: 0, high: 0, low: 0 })).toEqual({ count: 0, average: null, satisfied: 0, satisfied_pct: null });
    expect(statsOf('nps', { count: 0, scoreSum: 0, high: 0, low: 0 })).toMatchObject({ nps: null, average: null });
  });

  it('groups come most answers first, named by queue or agent', () => {
    const summary = summarise('csat', { count: 3, scoreSum: 12, high: 2, low: 0 }, [{ key: 'vendas', count: 1, scoreSum: 5, high: 1, low: 0 }, { key: 'suporte', count: 2, scoreSum: 7, high: 1, low: 0 }], [{ key: null, count: 3, scoreSum: 12, high: 2, low: 0 }]);
    expect(summary.by_queue.map((group) => group.queue)).toEqual(['suporte', 'vendas']);
    expect(summary.by_agent).toEqual([{ agent: null, count: 3, average: 4, satisfied: 2, satisfied_pct: 66.7 }]);
  });
});
