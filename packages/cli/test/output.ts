import type { CliOutput } from '../src/io.js';

/** A `CliOutput` that collects what is written into `text`, as a terminal or not. */
export function collector(isTTY?: boolean, columns = 120): CliOutput & { text: string } {
  const out = {
    text: '',
    isTTY,
    columns,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}
