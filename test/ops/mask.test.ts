import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/security/maskUrl.js';

describe('maskUrl', () => {
  it('replaces the password of a URL and keeps the rest', () => {
    expect(maskUrl('smpp://ppg:secret@127.0.0.1:2775')).toBe('smpp://ppg:***@127.0.0.1:2775');
    expect(maskUrl('redis://:pa:ss@host:6379/2')).toBe('redis://:***@host:6379/2');
    expect(maskUrl('smpp://ppg@127.0.0.1:2775')).toBe('smpp://ppg@127.0.0.1:2775');
    expect(maskUrl('./wappush-state')).toBe('./wappush-state');
    expect(maskUrl('memory')).toBe('memory');
  });
});
