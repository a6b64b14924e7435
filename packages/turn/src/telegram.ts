// Telegram Bot API helpers shared by the grammY and Telegraf adapters (and
// any other Telegram framework adapter).

/**
 * Whether a Bot API method only reads (`getMe`, `getChat`, `getFile`, …). Reads
 * are performed at once during a turn; everything else is buffered until the commit.
 */
export function isReadOnlyMethod(method: string): boolean {
  return method.startsWith('get');
}

/**
 * The result a buffered Bot API call resolves to during the turn, shaped like
 * Telegram's so typical handlers keep working: a `Message` with
 * `message_id` 0 for sends, `{ message_id: 0 }` for `copyMessage`, an empty
 * array for the batch methods, `true` for everything else. The real result is
 * only known after the commit, in `TurnResult.results`.
 */
export function placeholderResult(method: string, payload: unknown): unknown {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  if (method === 'copyMessage') return { message_id: 0 };
  if (method === 'sendMediaGroup' || method === 'forwardMessages' || method === 'copyMessages')
    return [];
  if (method === 'sendChatAction') return true;
  if (
    method.startsWith('send') ||
    method === 'forwardMessage' ||
    method === 'stopMessageLiveLocation' ||
    method.startsWith('editMessage')
  ) {
    const chatId = p.chat_id;
    return {
      message_id: 0,
      date: Math.floor(Date.now() / 1000),
      chat: { id: typeof chatId === 'number' ? chatId : 0, type: 'private' },
      ...(typeof p.text === 'string' ? { text: p.text } : {}),
    };
  }
  return true;
}
