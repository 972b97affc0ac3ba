import { describe, expect, it } from 'vitest';
import { tierFromProvider } from './messaging-limits.js';

describe('tierFromProvider', () => {
  it("reads Meta's tier names as unique recipients per 24 h, unlimited as null", () => {
    expect(['TIER_50', 'TIER_250', 'TIER_1K', 'TIER_2K', 'TIER_10K', 'TIER_100K'].map(tierFromProvider)).toEqual([50, 250, 1000, 2000, 10_000, 100_000]);
    expect(tierFromProvider('TIER_UNLIMITED')).toBeNull();
  });

  it('says nothing (so the default applies) for no tier or a name it does not know', () => {
    for (const name of [null, undefined, '', 'TIER_NOT_SET', 'TIER_1M', 'tier_250', 'UNLIMITED']) expect(tierFromProvider(name)).toBeUndefined();
  });
});
