import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, npmInstall, packAll, runJson } from '../src/install.ts';
import { REPO_ROOT } from '../src/workspace.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ADAPTERS = [
  '@greentic/session-turn',
  '@greentic/session-grammy',
  '@greentic/session-telegraf',
  '@greentic/session-botbuilder',
];
// What a bot project installs: the adapters, a backend, and each framework
// peer at the version the workspace tests against.
const PACKED = ['@greentic/session-types', '@greentic/session-core', '@greentic/session-memory'];
const peerVersion = (pkg: string, name: string) => {
  const manifest = JSON.parse(
    readFileSync(join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8'),
  ) as { devDependencies: Record<string, string> };
  return `${name}@${manifest.devDependencies[name]}`;
};
const PEERS = [
  peerVersion('grammy', 'grammy'),
  peerVersion('telegraf', 'telegraf'),
  peerVersion('botbuilder', 'botbuilder-core'),
];

describe('the packed bot adapters installed with their framework peers outside the workspace', () => {
  let workDir: string;
  let esm: string;
  let cjs: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-install-adapters-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const tarballs = await packAll([...PACKED, ...ADAPTERS], workDir);
    esm = createProject(workDir, 'bot', 'module');
    await npmInstall(esm, [...tarballs, ...PEERS]);
    copyFileSync(fixture('adapters-smoke.mjs'), join(esm, 'smoke.mjs'));
    cjs = createProject(workDir, 'bot-cjs', 'commonjs');
    await npmInstall(cjs, [...tarballs, ...PEERS]);
    copyFileSync(fixture('adapters-require.cjs'), join(cjs, 'require.cjs'));
  }, 400_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('installs the adapters from the tarballs beside the registry peers', () => {
    const scope = readdirSync(join(esm, 'node_modules/@greentic')).sort();
    expect(scope).toEqual(
      [...PACKED, ...ADAPTERS].map((name) => name.replace('@greentic/', '')).sort(),
    );
    for (const peer of PEERS) {
      const [name, version] = [peer.slice(0, peer.lastIndexOf('@')), peer.split('@').pop()];
      const manifest = JSON.parse(
        readFileSync(join(esm, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      expect(manifest.version, name).toBe(version);
    }
  });

  it('ESM: each adapter runs an update as a turn, replies once and skips the redelivery', async () => {
    const result = await runJson(esm, 'smoke.mjs');
    expect(result).toEqual({
      sent: {
        grammy: [['sendMessage', 'grammy 1']],
        telegraf: [['sendMessage', 'telegraf 1']],
        botbuilder: ['botbuilder 1'],
      },
      counts: { 'grammy:1:7': 1, 'telegraf:1:7': 1 },
      storages: ['function', 'function', 'function', 'function'],
    });
  });

  it('CommonJS: require() loads every adapter (require(esm))', async () => {
    const result = await runJson(cjs, 'require.cjs');
    expect(result['@greentic/session-turn']).toEqual(
      expect.arrayContaining(['createTurnRunner', 'createTurnMiddleware', 'defineTurnSession']),
    );
    expect(result['@greentic/session-grammy']).toEqual(
      expect.arrayContaining(['turnSession', 'sessionStorage', 'TurnSession']),
    );
    expect(result['@greentic/session-telegraf']).toEqual(
      expect.arrayContaining(['turnSession', 'telegrafSessionStore', 'TurnSession']),
    );
    expect(result['@greentic/session-botbuilder']).toEqual(
      expect.arrayContaining(['createBotTurnHandler', 'GreenticStorage']),
    );
  });
});
