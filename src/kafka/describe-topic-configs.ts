import { connect, type Socket } from 'node:net';
import type { KafkaProperties } from './kafka-config.js';
import { errorText } from '../error-text.js';

const DESCRIBE_CONFIGS = 32;
/** v1: Kafka 1.1 and later answer it, 4.x included (4.0 dropped v0). */
const VERSION = 1;
const TOPIC_RESOURCE = 2;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Reads topic configs with Kafka's DescribeConfigs request, spoken directly
 * over a socket to a bootstrap broker: the librdkafka binding has no
 * DescribeConfigs (confluent-kafka-javascript#444). Only PLAINTEXT listeners
 * are supported; on any other `security.protocol` it resolves `undefined`
 * (unknown) rather than guess at a handshake.
 *
 * Resolves per existing topic the requested `keys` (all of them when `keys`
 * is omitted) with their effective values, defaults included; topics that do
 * not exist are left out. Rejects when no bootstrap broker answers within
 * `timeoutMs` or a topic's config cannot be read (e.g. not authorized).
 *
 * @example
 * ```ts
 * const configs = await describeTopicConfigs({ 'bootstrap.servers': '127.0.0.1:9092' }, ['events'], ['max.message.bytes']);
 * configs?.get('events')?.get('max.message.bytes'); // '1048588'
 * ```
 */
export async function describeTopicConfigs(
  properties: KafkaProperties,
  topics: readonly string[],
  keys?: readonly string[],
  timeoutMs = 10_000,
): Promise<Map<string, Map<string, string>> | undefined> {
  const entries = await describeTopicConfigEntries(properties, topics, keys, timeoutMs);
  if (entries === undefined) return undefined;
  return new Map([...entries].map(([topic, values]) => [topic, new Map([...values].map(([name, entry]) => [name, entry.value]))]));
}

/**
 * Where a config's effective value comes from, as the broker says:
 * `topic` is the topic's own setting (what `--config` / `kafka-configs --alter`
 * set), the others are defaults of the broker or of Kafka.
 *
 * @example
 * ```ts
 * const own = entry.source === 'topic';
 * ```
 */
export type TopicConfigSource = 'topic' | 'broker' | 'default' | 'unknown';

/**
 * One config of a topic: its effective value and where it comes from.
 *
 * @example
 * ```ts
 * const entry: TopicConfigEntry = { value: 'compact', source: 'topic' };
 * ```
 */
export interface TopicConfigEntry {
  readonly value: string;
  readonly source: TopicConfigSource;
}

/**
 * Like {@link describeTopicConfigs}, with each value's source, so a caller can
 * tell a topic's own settings from inherited defaults (`sluice topics describe`).
 *
 * @example
 * ```ts
 * const entries = await describeTopicConfigEntries({ 'bootstrap.servers': '127.0.0.1:9092' }, ['orders.state']);
 * entries?.get('orders.state')?.get('cleanup.policy'); // { value: 'compact', source: 'topic' }
 * entries?.get('orders.state')?.get('retention.ms');   // { value: '604800000', source: 'default' }
 * ```
 */
export async function describeTopicConfigEntries(
  properties: KafkaProperties,
  topics: readonly string[],
  keys?: readonly string[],
  timeoutMs = 10_000,
): Promise<Map<string, Map<string, TopicConfigEntry>> | undefined> {
  const protocol = String(properties['security.protocol'] ?? 'plaintext').toLowerCase();
  if (protocol !== 'plaintext') return undefined;
  if (topics.length === 0) return new Map();
  const brokers = bootstrapBrokers(String(properties['bootstrap.servers'] ?? ''));
  if (brokers.length === 0) throw new Error('describing topic configs: bootstrap.servers names no broker');
  const request = encodeRequest(topics, keys, String(properties['client.id'] ?? 'sluice'));
  const failures: string[] = [];
  for (const broker of brokers) {
    let response: Buffer;
    try {
      response = await roundTrip(broker, request, timeoutMs);
    } catch (error) {
      failures.push(`${broker.host}:${broker.port}: ${errorText(error)}`);
      continue;
    }
    return decodeResponse(response);
  }
  throw new Error(`describing the configs of ${topics.join(', ')}: no bootstrap broker answered (${failures.join('; ')})`);
}

/** `host:port` pairs of a `bootstrap.servers` list (`PLAINTEXT://` prefixes and IPv6 brackets allowed). */
export function bootstrapBrokers(servers: string): { host: string; port: number }[] {
  const brokers: { host: string; port: number }[] = [];
  for (const entry of servers.split(',')) {
    const address = entry.trim().replace(/^[a-z_]+:\/\//i, '');
    if (address === '') continue;
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
    brokers.push(match ? { host: match[1]!, port: Number(match[2]) } : { host: address, port: 9092 });
  }
  return brokers;
}

function encodeRequest(topics: readonly string[], keys: readonly string[] | undefined, clientId: string): Buffer {
  const w = new Writer();
  w.int16(DESCRIBE_CONFIGS).int16(VERSION).int32(1).string(clientId);
  w.int32(topics.length);
  for (const topic of topics) {
    w.int8(TOPIC_RESOURCE).string(topic);
    if (keys === undefined) w.int32(-1);
    else {
      w.int32(keys.length);
      for (const key of keys) w.string(key);
    }
  }
  w.int8(0); // include_synonyms
  const body = w.bytes();
  const framed = Buffer.alloc(4 + body.length);
  framed.writeInt32BE(body.length, 0);
  body.copy(framed, 4);
  return framed;
}

/** DescribeConfigs' config_source codes: 1 is the topic's own (dynamic topic) config. */
function sourceOf(code: number): TopicConfigSource {
  if (code === 1) return 'topic';
  if (code >= 2 && code <= 4) return 'broker';
  return code === 5 ? 'default' : 'unknown';
}

function decodeResponse(frame: Buffer): Map<string, Map<string, TopicConfigEntry>> {
  const r = new Reader(frame);
  r.int32(); // correlation id
  r.int32(); // throttle time
  const configs = new Map<string, Map<string, TopicConfigEntry>>();
  for (let n = r.int32(); n > 0; n--) {
    const errorCode = r.int16();
    const errorMessage = r.nullableString();
    r.int8(); // resource type
    const topic = r.nullableString() ?? '';
    const values = new Map<string, TopicConfigEntry>();
    for (let c = r.int32(); c > 0; c--) {
      const name = r.nullableString() ?? '';
      const value = r.nullableString();
      r.int8(); // read only
      const source = sourceOf(r.int8());
      r.int8(); // is sensitive
      for (let s = r.int32(); s > 0; s--) {
        r.nullableString();
        r.nullableString();
        r.int8();
      }
      if (value !== null) values.set(name, { value, source });
    }
    if (errorCode === UNKNOWN_TOPIC_OR_PARTITION) continue;
    if (errorCode !== 0) throw new Error(`describing the configs of topic ${topic}: error ${errorCode}${errorMessage ? ` (${errorMessage})` : ''}`);
    configs.set(topic, values);
  }
  return configs;
}

function roundTrip(broker: { host: string; port: number }, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const socket: Socket = connect({ host: broker.host, port: broker.port });
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const done = (error: Error | undefined, frame?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolvePromise(frame!);
    };
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => done(error));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const size = all.readInt32BE(0);
      if (size < 0 || size > MAX_RESPONSE_BYTES) return done(new Error(`implausible response size ${size}`));
      if (all.length >= 4 + size) done(undefined, all.subarray(4, 4 + size));
    });
    socket.once('close', () => done(new Error('the broker closed the connection before answering')));
  });
}

class Writer {
  readonly #parts: Buffer[] = [];
  int8(n: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(n);
    this.#parts.push(b);
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.#parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.#parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.int16(bytes.length).#push(bytes);
  }
  #push(bytes: Buffer): this {
    this.#parts.push(bytes);
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

class Reader {
  #at = 0;
  constructor(private readonly buf: Buffer) {}
  int8(): number {
    return this.buf.readInt8(this.#take(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.#take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.#take(4));
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const start = this.#take(length);
    return this.buf.toString('utf8', start, start + length);
  }
  #take(n: number): number {
    const at = this.#at;
    if (at + n > this.buf.length) throw new Error('describing topic configs: the response is cut short');
    this.#at += n;
    return at;
  }
}
