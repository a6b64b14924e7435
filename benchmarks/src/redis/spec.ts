/**
 * The shape every Redis benchmark subject (raw baselines, peers, ours)
 * exports: a {@link Subject} seeds its keys and returns its operations as
 * {@link OpTemplate}s, which the suite turns into mitata benchmarks at each
 * concurrency and client mode.
 *
 * @packageDocumentation
 */
import { do_not_optimize } from 'mitata';
import { roundRobin, type SessionCase } from '../fixtures.js';
import { type Client, type RedisTarget, TTL_SECS } from './client.js';

/** Reads and writes are measured and plotted in separate groups. */
export type OpKind = 'read' | 'write';

/** One implementation's operation, before it is given a concurrency. */
export interface OpTemplate {
  /** Implementation label in bench names and ratio rows: `raw`, `connect-redis`, `ours`. */
  readonly impl: string;
  /** Operation label: `GET`, `get (fenced)`, `put`. */
  readonly op: string;
  readonly kind: OpKind;
  /** Runs one operation; receives what `setup` returned, when there is a setup. */
  readonly fn: (arg: never) => unknown;
  /** Untimed preparation before each operation. */
  readonly setup?: () => unknown;
  /** Most samples, when `setup` is expensive. */
  readonly maxSamples?: number;
  /** mitata's summary baseline of its group (one read and one write baseline). */
  readonly baseline?: boolean;
}

/** What a subject is prepared with: one client, one payload case, one key namespace. */
export interface SubjectContext {
  readonly target: RedisTarget;
  readonly client: Client;
  readonly c: SessionCase;
  /** Prefix of every key this subject writes; unique per client mode and case. */
  readonly ns: string;
}

/** Seeded operations of one subject and how to release what it opened. */
export interface PreparedSubject {
  readonly templates: readonly OpTemplate[];
  readonly close?: () => Promise<void>;
}

/** One implementation under benchmark. */
export interface Subject {
  readonly name: string;
  /** A peer library: run on the typical case only. */
  readonly peer: boolean;
  /** Runs against the 3-master cluster too. */
  readonly cluster: boolean;
  /** Seeds the keys its operations read and returns the operations. */
  prepare(ctx: SubjectContext): Promise<PreparedSubject>;
}

/**
 * An operation over the case's keys, visited round-robin: `run(i)` does
 * operation `i`; its result is kept from being optimized away.
 */
export function roundRobinOp(
  impl: string,
  op: string,
  kind: OpKind,
  n: number,
  run: (i: number) => Promise<unknown>,
  extra: { readonly baseline?: boolean } = {},
): OpTemplate {
  const next = roundRobin(n);
  return {
    impl,
    op,
    kind,
    fn: async () => do_not_optimize(await run(next())),
    ...extra,
  };
}

/** Writes strings with the benchmark TTL, 500 commands in flight at a time. */
export async function seedStrings(
  client: Client,
  entries: readonly (readonly [string, string])[],
): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    await Promise.all(entries.slice(i, i + 500).map(([k, v]) => client.set(k, v, 'EX', TTL_SECS)));
  }
}
