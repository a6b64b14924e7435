import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-text.js';

describe('terminalSafe', () => {
  it('escapes escape sequences, other controls and bidi overrides, visibly', () => {
    expect(terminalSafe('\x1b]0;owned\x07red\x1b[31m')).toBe(
      '\\u001b]0;owned\\u0007red\\u001b[31m',
    );
    expect(terminalSafe('a\rb\x00c\x7f\x9b')).toBe('a\\u000db\\u0000c\\u007f\\u009b');
    expect(terminalSafe('user\u202Egnp.exe')).toBe('user\\u202egnp.exe');
  });

  it('keeps newlines, tabs and ordinary Unicode', () => {
    expect(terminalSafe('KEY\tUSER\nk1\tZoë 🙂\n')).toBe('KEY\tUSER\nk1\tZoë 🙂\n');
  });
});
