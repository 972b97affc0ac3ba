const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration as written in a flow, in milliseconds: a number is milliseconds already; text is
 * one or more `<n><unit>` (ms, s, m, h, d) such as `45s`, `30m`, `2h`, `1d`, `1h30m`.
 * Answers undefined for anything else.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^([0-9]+(ms|s|m|h|d))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|s|m|h|d)/g)) total += Number(amount) * (UNIT_MS[unit ?? 'ms'] ?? 1);
  return total;
}

/** `1h30m`, `45s`, `250ms`: how a problem shows milliseconds back to the author. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] ?? 1;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
