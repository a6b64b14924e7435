export { GreenticStorage, type GreenticStorageOptions } from './greentic-storage.js';
export {
  type BotTurnLogic,
  type BotTurnOptions,
  createBotTurnHandler,
  defaultBotbuilderSessionKey,
} from './turn-handler.js';
