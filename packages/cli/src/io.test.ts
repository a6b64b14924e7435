import { describe, expect, it } from 'vitest';
import { collector } from '../test/output.js';
import { scrubbed } from './io.js';

describe('scrubbed', () => {
  it('replaces every occurrence of every secret, the longest first', () => {
    const out = collector(true, 77);
    const s = scrubbed(out, ['S3cret-pw', 'S3cret-pw-longer', 'admin']);
    s.write('a S3cret-pw-longer b S3cret-pw c admin S3cret-pw');
    expect(out.text).toBe('a *** b *** c *** ***');
    expect(s.isTTY).toBe(true);
    expect(s.columns).toBe(77);
  });

  it('leaves short secrets alone (they would mangle ordinary text) and passes the output through without secrets', () => {
    const out = collector();
    expect(scrubbed(out, [])).toBe(out);
    scrubbed(out, ['pw', 'a']).write('a pw');
    expect(out.text).toBe('a pw');
  });
});
