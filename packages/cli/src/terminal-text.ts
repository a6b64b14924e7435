// C0 and C1 controls (but newline and tab), DEL, and the bidirectional
// overrides and isolates that can make a terminal show text other than what
// it is ("trojan source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text made safe for a terminal: every control character but newline and tab,
 * and every bidirectional override, becomes a visible `\uXXXX` escape. Stored
 * values (a session's `userId`, `teamId`) are free text; printed raw, an
 * escape sequence in one could rewrite the operator's screen or title.
 *
 * @param text - what is about to be printed
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
