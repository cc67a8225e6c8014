import { BlockList, isIP, isIPv4, isIPv6 } from "node:net";

/**
 * Which network destinations an outbound call may reach. Everything that is not globally routable is
 * refused (loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, documentation
 * and benchmarking ranges, cloud metadata addresses) unless the operator allowlists it with CIDRs
 * (the value of NORA_OUTBOUND_ALLOWED_CIDRS, wired by config).
 */
export interface OutboundPolicy {
  /** CIDRs (or single addresses) the operator explicitly allows even though they are not public. */
  allowedCidrs: readonly string[];
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = { allowedCidrs: [] };

/** [network, prefix, why] */
const FORBIDDEN_V4: Array<[string, number, string]> = [
  ["0.0.0.0", 8, "unspecified/this-network"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

const FORBIDDEN_V6: Array<[string, number, string]> = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  // IPv4-compatible (deprecated) addresses; IPv4-mapped ones are checked as the IPv4 address they embed.
  ["::", 96, "IPv4-compatible"],
  ["100::", 64, "discard-only"],
  ["2001::", 23, "IETF protocol assignments"],
  ["2001:db8::", 32, "documentation"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local (deprecated)"],
  ["ff00::", 8, "multicast"],
];

const forbidden = (() => {
  const lists = new Map<string, BlockList>();
  for (const [net, prefix, why] of FORBIDDEN_V4) {
    const list = lists.get(why) ?? new BlockList();
    list.addSubnet(net, prefix, "ipv4");
    lists.set(why, list);
  }
  for (const [net, prefix, why] of FORBIDDEN_V6) {
    const list = lists.get(why) ?? new BlockList();
    list.addSubnet(net, prefix, "ipv6");
    lists.set(why, list);
  }
  return lists;
})();

export class InvalidCidrError extends Error {
  override name = "InvalidCidrError";
}

/** Parses an allowlist (CIDRs or plain addresses) into a BlockList; throws InvalidCidrError on bad entries. */
export function parseAllowlist(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = "", prefixText, extra] = entry.split("/");
    const family = isIP(address);
    if (!family || extra !== undefined) throw new InvalidCidrError(`not a CIDR: ${entry}`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || !Number.isInteger(prefix) || prefix > max) {
      throw new InvalidCidrError(`not a CIDR: ${entry}`);
    }
    list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a packet would actually reach:
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
export function embeddedIPv4(address: string): string | undefined {
  if (!isIPv6(address)) return undefined;
  const words = expandIPv6(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6))
    return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x2002) return v4(words[1] as number, words[2] as number);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (handles `::` and a dotted IPv4 tail). */
function expandIPv6(address: string): number[] {
  let text = address.split("%")[0] as string;
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = (dotted[1] as string).split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -(dotted[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (s: string) => (s ? s.split(":").map((w) => Number.parseInt(w, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill(0);
  return [...h, ...fill, ...t];
}

/**
 * Why an address may not be reached, or undefined when it may. An allowlisted address is always
 * reachable; otherwise any non-public range (including one embedded in an IPv6 address) is refused.
 */
export function forbiddenReason(address: string, allowlist: BlockList): string | undefined {
  const family = isIP(address);
  if (!family) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  if (allowlist.check(address, type)) return undefined;
  const v4 = embeddedIPv4(address);
  if (v4) {
    if (allowlist.check(v4, "ipv4")) return undefined;
    const inner = forbiddenReason(v4, allowlist);
    return inner ? `${inner} (embedded in an IPv6 address)` : undefined;
  }
  for (const [why, list] of forbidden) {
    if (list.check(address, type)) return why;
  }
  return undefined;
}

export { isIPv4, isIPv6 };
