import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('gives distinct ids across many refills of its random pool', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('msg'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    // No two ids share their random part: a pool handed out twice would repeat them.
    expect(new Set(ids.map((id) => id.slice(-16))).size).toBe(ids.length);
  });

  it('starts with the creation time, so later ids sort after earlier ones', async () => {
    const first = newId('ev');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(newId('ev').slice(0, 12) > first.slice(0, 12)).toBe(true);
  });
});
