import { describe, expect, it } from 'vitest';
import * as mapping from '../src/index.js';

describe('@greentic/session-mapping entry point', () => {
  it('exports exactly the documented functions', () => {
    expect(Object.keys(mapping).sort()).toEqual([
      'MAX_SESSION_KEY_PARTS',
      'sessionKeyFromParts',
      'telegramSessionKeyV2',
      'telegramUpdateToSessionKey',
      'webhookSessionKeyV2',
      'webhookToSessionKey',
    ]);
  });
});
