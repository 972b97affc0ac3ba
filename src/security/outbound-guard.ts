import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** What the guard lets through: public addresses always; private ones only when the operator says so. */
export interface OutboundPolicy {
  /** Loopback, private (RFC 1918), link-local, unique-local and CGNAT targets are allowed (default false). */
  readonly allowPrivate: boolean;
}

/** Why a target is refused; `private`-like reasons are lifted by `allowPrivate`, the others never. */
export type OutboundBlockReason =
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unique_local'
  | 'shared_address'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'credentials'
  | 'scheme'
  | 'invalid';

export type OutboundCheck = { ok: true } | { ok: false; reason: OutboundBlockReason; rule: string };
export type OutboundUrlCheck = { ok: true; url: URL } | { ok: false; reason: OutboundBlockReason; rule: string };

/** The `code` of the error a refused connection fails with. */
export const OUTBOUND_BLOCKED = 'ERR_OUTBOUND_ADDRESS_BLOCKED';

/**
 * Checks a URL that the server is about to call on someone's behalf (outbound webhooks, and
 * any later feature that fetches a URL a user typed): absolute http(s), no user or password,
 * and a host that is not a loopback, private, link-local, unique-local, CGNAT, multicast,
 * reserved or cloud metadata address, in any spelling (`2130706433`, `0x7f000001`, `[::ffff:127.0.0.1]`,
 * `localhost`). A host name is only checked by name here; `createGuardedAgent` checks the
 * addresses it resolves to when connecting (DNS can change between the two).
 *
 * @example checkOutboundUrl('http://169.254.169.254/latest/meta-data/', { allowPrivate: false }) // { ok: false, reason: 'metadata', ... }
 */
export function checkOutboundUrl(value: string, policy: OutboundPolicy): OutboundUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'invalid', rule: 'must be an absolute http(s) URL such as https://crm.example.com/conversa' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'scheme', rule: 'must use https (or http)' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials', rule: 'must not carry a user name or password (user:pass@); authenticate with the signature instead' };
  const host = checkOutboundHost(url.hostname, policy);
  return host.ok ? { ok: true, url } : host;
}

/** Checks a URL's host: an address by its range, a name by the names that always mean this machine or a metadata service. */
export function checkOutboundHost(hostname: string, policy: OutboundPolicy): OutboundCheck {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return checkOutboundAddress(bare, policy);
  const name = bare.toLowerCase().replace(/\.+$/, '');
  if (name === '') return { ok: false, reason: 'invalid', rule: 'must name a host' };
  if (name === 'localhost' || name.endsWith('.localhost')) return refuse('loopback', policy);
  if (METADATA_NAMES.has(name)) return refuse('metadata', policy);
  return { ok: true };
}

/**
 * Checks one IP address (v4 or v6, as `net.isIP` reads it). IPv6 forms that carry an IPv4
 * address (mapped `::ffff:a.b.c.d`, compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
 * judged by that address.
 */
export function checkOutboundAddress(address: string, policy: OutboundPolicy): OutboundCheck {
  const bare = address.replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return { ok: false, reason: 'invalid', rule: 'must be an IP address' };
  if (family === 6) {
    const embedded = embeddedIpv4(bare);
    if (embedded !== undefined) {
      const verdict = checkOutboundAddress(embedded, policy);
      return verdict.ok ? verdict : { ...verdict, rule: `${verdict.rule} (written as an IPv6 address)` };
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [reason, list] of RANGES) {
    if (list.check(bare, type)) return refuse(reason, policy);
  }
  return { ok: true };
}

/**
 * A `dns.lookup` replacement that fails when a name resolves to an address the policy refuses
 * (every address is checked, so a name that also resolves to 127.0.0.1 is refused). Give it to
 * `net.connect`/`tls.connect` so the check happens on the address actually connected to.
 */
export function createGuardedLookup(policy: OutboundPolicy, lookup: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', undefined);
      const list = addresses as LookupAddress[];
      for (const entry of list) {
        const verdict = checkOutboundAddress(entry.address, policy);
        if (!verdict.ok) return callback(blockedError(`${hostname} resolves to ${entry.address}, ${describeReason(verdict)}`), options.all ? [] : '', undefined);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), options.all ? [] : '', undefined);
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

export interface GuardedAgentOptions extends Agent.Options {
  /** Connect timeout in milliseconds (default 10 s). */
  connectTimeoutMs?: number;
  /** Replaces `dns.lookup` (tests: a name that resolves to 127.0.0.1). */
  lookup?: typeof dnsLookup;
}

/**
 * An undici Agent that checks the address of every connection it opens: a literal address in
 * the URL by its range, a name by what it resolves to (so DNS rebinding between the URL check
 * and the connection changes nothing). A refused connection fails with an error whose `code` is
 * `ERR_OUTBOUND_ADDRESS_BLOCKED`; nothing is sent.
 *
 * @example const agent = createGuardedAgent({ allowPrivate: config.webhooks.allowPrivate }, { connections: 64 });
 */
export function createGuardedAgent(policy: OutboundPolicy, options: GuardedAgentOptions = {}): Agent {
  const { connectTimeoutMs, lookup, ...agentOptions } = options;
  const connector = buildConnector({ timeout: connectTimeoutMs ?? 10_000, lookup: createGuardedLookup(policy, lookup) } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const verdict = checkOutboundHost(connectOptions.hostname, policy);
    if (!verdict.ok) {
      callback(blockedError(`${connectOptions.hostname}, ${describeReason(verdict)}`), null);
      return;
    }
    connector(connectOptions, callback);
  };
  return new Agent({ ...agentOptions, connect });
}

/** Whether an error (or its cause) is a refusal of the guard. */
export function isOutboundBlocked(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as NodeJS.ErrnoException).code === OUTBOUND_BLOCKED) return true;
  }
  return false;
}

const RULES: Record<Exclude<OutboundBlockReason, 'credentials' | 'scheme' | 'invalid'>, string> = {
  loopback: 'is a loopback address (this machine)',
  private: 'is a private network address',
  link_local: 'is a link-local address',
  unique_local: 'is a unique-local (private) IPv6 address',
  shared_address: 'is a carrier-grade NAT (shared) address',
  metadata: 'is a cloud metadata service',
  unspecified: 'is the unspecified address (this machine)',
  multicast: 'is a multicast or broadcast address',
  reserved: 'is a reserved or documentation address',
};

/** What CONVERSA_WEBHOOKS_ALLOW_PRIVATE (and later callers' equivalents) lifts. */
const PRIVATE_REASONS = new Set<OutboundBlockReason>(['loopback', 'private', 'link_local', 'unique_local', 'shared_address']);

function refuse(reason: keyof typeof RULES, policy: OutboundPolicy): OutboundCheck {
  if (policy.allowPrivate && PRIVATE_REASONS.has(reason)) return { ok: true };
  return { ok: false, reason, rule: `must not target ${RULES[reason].replace(/^is /, '')}` };
}

function describeReason(verdict: { reason: OutboundBlockReason; rule: string }): string {
  return verdict.reason in RULES ? RULES[verdict.reason as keyof typeof RULES].replace(/^is /, '') : verdict.rule;
}

function blockedError(message: string): Error {
  return Object.assign(new Error(`refused by the outbound address guard: ${message}`), { code: OUTBOUND_BLOCKED });
}

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);

// Checked in order: the metadata addresses before the ranges that hold them.
const RANGE_TABLE: Array<[keyof typeof RULES, string[]]> = [
  ['metadata', ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32', 'fd00:ec2::254/128']],
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['shared_address', ['100.64.0.0/10']],
  ['link_local', ['169.254.0.0/16', 'fe80::/10']],
  ['unique_local', ['fc00::/7', 'fec0::/10']],
  ['multicast', ['224.0.0.0/4', '255.255.255.255/32', 'ff00::/8']],
  [
    'reserved',
    ['192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '100::/64', '2001::/23', '2001:db8::/32', '64:ff9b:1::/48'],
  ],
];

const RANGES: Array<[keyof typeof RULES, BlockList]> = RANGE_TABLE.map(([reason, cidrs]) => {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIP(network) === 4 ? 'ipv4' : 'ipv6');
  }
  return [reason, list];
});

/** The IPv4 address inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const tail = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), ::a.b.c.d (compatible; not :: or ::1)
  if (zeros(0, 5) && words[5] === 0xffff) return tail(words[6] ?? 0, words[7] ?? 0);
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return tail(words[6] ?? 0, words[7] ?? 0);
  if (zeros(0, 6) && ((words[6] ?? 0) !== 0 || (words[7] ?? 0) > 1)) return tail(words[6] ?? 0, words[7] ?? 0);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return tail(words[6] ?? 0, words[7] ?? 0);
  // 2002:AABB:CCDD::/48 (6to4)
  if (words[0] === 0x2002) return tail(words[1] ?? 0, words[2] ?? 0);
  return undefined;
}

function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail, ...more] = text.split('::');
  if (more.length > 0) return undefined;
  const part = (piece: string) => (piece === '' ? [] : piece.split(':').map((word) => parseInt(word, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array<number>(missing).fill(0), ...right];
}
