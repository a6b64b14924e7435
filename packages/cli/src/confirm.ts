import { createInterface } from 'node:readline/promises';
import type { CliInput, CliOutput } from './io.js';

/**
 * Asks a yes/no question: the question on `output` (stderr, so stdout stays
 * clean), one answer line from `input`. Only `y` or `yes` (any case) is a yes;
 * an empty line, anything else or the end of input is a no.
 *
 * @param input - stdin (a terminal: the caller refuses before asking otherwise)
 * @param output - where the question is written
 * @param question - the question, without the `[y/N]` suffix
 * @param signal - aborts the wait (Ctrl-C): the promise rejects with its reason
 */
export async function confirm(
  input: CliInput,
  output: CliOutput,
  question: string,
  signal?: AbortSignal,
): Promise<boolean> {
  signal?.throwIfAborted();
  output.write(`${question} [y/N] `);
  // No output stream: the terminal echoes what is typed; readline only reads lines.
  const rl = createInterface({ input, terminal: false });
  try {
    const answer = await new Promise<string | null>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.once('line', (line) => resolve(line));
      rl.once('close', () => resolve(null));
    });
    if (answer === null) output.write('\n');
    return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
