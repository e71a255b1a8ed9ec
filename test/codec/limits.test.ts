// resolveLimits: what a caller leaves out keeps its default, however the partial set is given.
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../src/codec/limits.js';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { thrown } from '../helpers.js';

describe('resolveLimits', () => {
  it('completes a frozen partial set instead of taking it as complete', () => {
    const limits = resolveLimits(Object.freeze({ maxNodes: 5 }));
    expect(limits).toEqual({ ...DEFAULT_LIMITS, maxNodes: 5 });
    expect(Object.isFrozen(limits)).toBe(true);
  });

  it('keeps the default of a limit given as undefined', () => {
    expect(resolveLimits({ maxStringLength: undefined, maxDepth: 3 })).toEqual({ ...DEFAULT_LIMITS, maxDepth: 3 });
  });

  it('refuses a limit that would stop nothing: NaN, negative, not a number', () => {
    expect(() => resolveLimits({ maxNodes: Number.NaN })).toThrow(/limits\.maxNodes must be a number >= 0, not NaN/);
    expect(() => resolveLimits({ maxDepth: -1 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxHeaders: '10' as unknown as number })).toThrow(/limits\.maxHeaders/);
    expect(resolveLimits({ maxAttributes: 0 }).maxAttributes).toBe(0);
  });

  it('returns a set it resolved, and the defaults, as they are', () => {
    const limits = resolveLimits({ maxHeaders: 7 });
    expect(resolveLimits(limits)).toBe(limits);
    expect(resolveLimits()).toBe(DEFAULT_LIMITS);
    expect(resolveLimits(DEFAULT_LIMITS)).toBe(DEFAULT_LIMITS);
  });

  it('a decode given a frozen partial set still stops at the limits it leaves out', () => {
    // An SL whose href is longer than the default maxStringLength (64 KiB), through the tree path.
    const sl = encodeSl({ href: `http://example.com/${'a'.repeat(70_000)}` });
    const e = thrown(() => decodeBody('application/vnd.wap.slc', {}, sl, { limits: Object.freeze({ maxNodes: 100 }) }));
    expect(e).toMatchObject({ code: 'LIMIT' });
    expect(e.message).toContain('maxStringLength');
  });
});
