import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirm } from './confirm.js';

function io(answer: string | null) {
  const input = new PassThrough();
  if (answer !== null) input.end(answer);
  let text = '';
  const output = {
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
  return { input, output, text: () => text };
}

describe('confirm', () => {
  it.each(['y\n', 'yes\n', ' YES \n', 'Y'])('%j is a yes', async (answer) => {
    const t = io(answer);
    expect(await confirm(t.input, t.output, 'Delete 3 sessions?')).toBe(true);
    expect(t.text()).toBe('Delete 3 sessions? [y/N] ');
  });

  it.each(['\n', 'n\n', 'no\n', 'yess\n', 'sure\n', ''])('%j is a no', async (answer) => {
    const t = io(answer);
    expect(await confirm(t.input, t.output, 'Delete?')).toBe(false);
  });

  it('reads only the first line: a later "yes" does not count', async () => {
    const t = io('no\nyes\n');
    expect(await confirm(t.input, t.output, 'Delete?')).toBe(false);
  });

  it('an abort while waiting rejects with the signal reason', async () => {
    const t = io(null);
    const controller = new AbortController();
    const asked = confirm(t.input, t.output, 'Delete?', controller.signal);
    const reason = new Error('interrupted');
    controller.abort(reason);
    await expect(asked).rejects.toBe(reason);
  });

  it('an already aborted signal asks nothing', async () => {
    const t = io('yes\n');
    const reason = new Error('stop');
    await expect(confirm(t.input, t.output, 'Delete?', AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    expect(t.text()).toBe('');
  });
});
