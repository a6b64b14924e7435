import { describe, expect, it } from 'vitest';
import { collector } from '../test/output.js';
import { createProgress, PROGRESS_REDRAW_MS } from './progress.js';

describe('createProgress', () => {
  it('writes nothing at all when the output is not a terminal', () => {
    const out = collector(false);
    const p = createProgress(out, 'purge tenant acme', { total: 10, now: () => 0 });
    p.update({ scanned: 5, matched: 5, deleted: 5 });
    p.done();
    expect(out.text).toBe('');
  });

  it('redraws one line in place, at most once per interval, and erases it when done', () => {
    const out = collector(true);
    let t = 0;
    const p = createProgress(out, 'count tenant acme', { now: () => t });
    p.update({ scanned: 1000, matched: 10, deleted: 0 });
    const first = out.text;
    expect(first.startsWith('\r')).toBe(true);
    expect(first.endsWith('\x1b[K')).toBe(true);
    expect(first).toContain('1,000 keys scanned, 10 matched');
    t += PROGRESS_REDRAW_MS - 1;
    p.update({ scanned: 2000, matched: 20, deleted: 0 });
    expect(out.text).toBe(first);
    t += 1;
    p.update({ scanned: 3000, matched: 30, deleted: 0 });
    // 3,000 keys in 0.1 s.
    expect(out.text.slice(first.length)).toContain('3,000 keys scanned, 30 matched, 30,000 keys/s');
    expect(out.text).not.toContain('\n');
    p.done();
    expect(out.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('draws a bar of what was deleted out of the total', () => {
    const out = collector(true);
    const p = createProgress(out, 'purge tenant acme', { total: 200, now: () => 0 });
    p.update({ scanned: 5000, matched: 100, deleted: 50 });
    expect(out.text).toContain(`[${'#'.repeat(6)}${'-'.repeat(18)}] 25% 50/200 deleted`);
  });

  it('never draws wider than the terminal', () => {
    const out = collector(true, 50);
    const p = createProgress(out, `purge tenant ${'x'.repeat(100)}`, { now: () => 0 });
    p.update({ scanned: 1, matched: 1, deleted: 1 });
    const line = out.text.replace('\r', '').replace('\x1b[K', '');
    expect(line.length).toBeLessThanOrEqual(49);
  });

  it('a terminal that reports 0 columns gets 80', () => {
    const out = collector(true, 0);
    const p = createProgress(out, `count ${'x'.repeat(200)}`, { now: () => 0 });
    p.update({ scanned: 1, matched: 1, deleted: 0 });
    expect(out.text.replace('\r', '').replace('\x1b[K', '')).toHaveLength(79);
  });

  it('done() without a drawn line writes nothing', () => {
    const out = collector(true);
    createProgress(out, 'count', { now: () => 0 }).done();
    expect(out.text).toBe('');
  });
});
