import { describe, expect, it } from 'vitest';
import { DAY, MIN_WORKS, planSeed, scheduleHistory } from '../../scripts/lib/seed-plan.ts';

describe('seed plan', () => {
  it('is deterministic and covers every case even at its smallest', () => {
    expect(planSeed(12)).toEqual(planSeed(12));
    const plan = planSeed(MIN_WORKS);
    expect(plan.accounts.filter((a) => a.kind === 'artist').length).toBeGreaterThanOrEqual(4);
    expect(plan.accounts.filter((a) => a.kind === 'organization').map((a) => a.handle)).toEqual([plan.gallery]);
    expect(plan.works.filter((w) => w.revoke)).toHaveLength(1);
    expect(plan.works.filter((w) => w.dispute)).toHaveLength(1);
    expect(plan.works.filter((w) => w.processStages.length >= 3).length).toBeGreaterThanOrEqual(1);
    expect(plan.works.some((w) => !w.attestation && !w.revoke && !w.dispute && !w.processStages.length)).toBe(true);
    for (const w of plan.works.filter((x) => x.dispute)) expect(w.dispute!.by).not.toBe(w.artist);
  });

  it('gives distinct titles and images to a few dozen works, with every attestation kind', () => {
    const plan = planSeed(30);
    expect(new Set(plan.works.map((w) => w.title)).size).toBe(30);
    expect(new Set(plan.works.map((w) => w.imageSeed)).size).toBe(30);
    expect(new Set(plan.works.flatMap((w) => (w.attestation ? [w.attestation.type] : []))).size).toBe(5);
  });

  it('refuses sizes it cannot plan', () => {
    for (const n of [0, MIN_WORKS - 1, 2.5, 1000]) expect(() => planSeed(n)).toThrow(RangeError);
  });

  it('schedules process images over more than a day before their work, everything inside the history, accounts first', () => {
    const plan = planSeed(30);
    const start = new Date('2026-01-01T00:00:00Z');
    const end = new Date('2026-01-07T00:00:00Z');
    const steps = scheduleHistory(plan, start, end);
    expect(steps.slice(0, plan.accounts.length).every((s) => s.kind === 'account')).toBe(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.at.getTime()).toBeGreaterThanOrEqual(steps[i - 1]!.at.getTime());
    for (const s of steps) expect(s.at >= start && s.at <= end).toBe(true);
    for (const work of plan.works.filter((w) => w.processStages.length)) {
      const processTimes = steps.filter((s) => s.kind === 'process' && s.work === work).map((s) => s.at.getTime());
      const registeredAt = steps.find((s) => s.kind === 'register' && s.work === work)!.at.getTime();
      expect(processTimes).toHaveLength(work.processStages.length);
      expect(Math.max(...processTimes) - Math.min(...processTimes)).toBeGreaterThanOrEqual(DAY);
      expect(Math.max(...processTimes)).toBeLessThan(registeredAt);
    }
    expect(() => scheduleHistory(plan, start, new Date('2026-01-02T00:00:00Z'))).toThrow(RangeError);
  });
});
