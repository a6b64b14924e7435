/**
 * Raw ioredis on the same client and payload: the floors ours is measured
 * against. `GET` returns the unparsed string; `GET+JSON.parse` is the floor of
 * any read that returns a session object; `SET EX` and the CAS script
 * serialize in the timed call.
 *
 * @packageDocumentation
 */
import { TTL_SECS } from '../client.js';
import { roundRobinOp, type Subject, seedStrings } from '../spec.js';

/** The raw floor of an atomic CAS write: decode, compare, SET with expiry. */
const RAW_CAS_LUA = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
local doc = cjson.decode(current)
if doc.cas ~= tonumber(ARGV[1]) then return -2 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return doc.cas + 1
`;

type CasCommand = (key: string, expected: string, envelope: string, ttl: string) => Promise<number>;

/** Raw GET, GET + JSON.parse, SET EX and a cjson compare-and-set script. */
export const rawSubject: Subject = {
  name: 'raw',
  peer: false,
  cluster: true,
  async prepare({ client, c, ns }) {
    const n = c.sessions.length;
    // Keys carry the session key as a hash tag, as a cluster-safe store would.
    const rawKey = c.sessions.map((s) => `${ns}:raw:{${s.key}}`);
    const casKey = c.sessions.map((s) => `${ns}:rawcas:{${s.key}}`);
    await seedStrings(
      client,
      rawKey.map((k, i) => [k, c.json[i] as string]),
    );
    await seedStrings(
      client,
      casKey.map((k, i) => [k, JSON.stringify({ cas: 1, session: c.plain[i] })]),
    );
    client.defineCommand('benchRawCas', { numberOfKeys: 1, lua: RAW_CAS_LUA });
    const cas = (client as unknown as { benchRawCas: CasCommand }).benchRawCas.bind(client);
    const current: number[] = new Array(n).fill(1);
    return {
      templates: [
        roundRobinOp('raw', 'GET', 'read', n, (i) => client.get(rawKey[i] as string)),
        roundRobinOp(
          'raw',
          'GET+JSON.parse',
          'read',
          n,
          async (i) => JSON.parse((await client.get(rawKey[i] as string)) as string),
          { baseline: true },
        ),
        roundRobinOp('raw', 'SET EX', 'write', n, (i) =>
          client.set(rawKey[i] as string, JSON.stringify(c.plain[i]), 'EX', TTL_SECS),
        ),
        roundRobinOp(
          'raw',
          'CAS script',
          'write',
          n,
          async (i) => {
            const expected = current[i] as number;
            const envelope = JSON.stringify({ cas: expected + 1, session: c.plain[i] });
            const r = await cas(casKey[i] as string, String(expected), envelope, String(TTL_SECS));
            if (r !== expected + 1) throw new Error(`raw CAS conflict on key ${i}: ${r}`);
            current[i] = r;
          },
          { baseline: true },
        ),
      ],
    };
  },
};
