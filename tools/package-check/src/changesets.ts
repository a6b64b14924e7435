import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump types a changeset may name. */
export type BumpType = 'major' | 'minor' | 'patch' | 'none';

/** One pending changeset file. */
export interface PendingChangeset {
  /** File name inside `.changeset/`. */
  file: string;
  /** Package name → bump. */
  releases: Record<string, BumpType>;
  /** The markdown below the front matter. */
  summary: string;
}

/**
 * Parses a changeset's front matter (`"pkg": minor` lines between `---`).
 *
 * @throws Error when the front matter is missing or a line is not `"name": bump`
 */
export function parseChangeset(file: string, text: string): PendingChangeset {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (match === null) throw new Error(`${file}: no --- front matter`);
  const releases: Record<string, BumpType> = {};
  for (const line of (match[1] ?? '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const entry = /^\s*(?:"([^"]+)"|'([^']+)'|([^\s"':]+))\s*:\s*(major|minor|patch|none)\s*$/.exec(
      line,
    );
    if (entry === null)
      throw new Error(`${file}: cannot read release line ${JSON.stringify(line)}`);
    releases[(entry[1] ?? entry[2] ?? entry[3]) as string] = entry[4] as BumpType;
  }
  return { file, releases, summary: (match[2] ?? '').trim() };
}

/** Reads every pending changeset in a `.changeset` directory (README.md excluded). */
export function readPendingChangesets(changesetDir: string): PendingChangeset[] {
  return readdirSync(changesetDir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => parseChangeset(name, readFileSync(join(changesetDir, name), 'utf8')));
}
