import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { invalid } from '../core/errors.js';

/** Never a webhook target: unspecified, link-local (cloud metadata), multicast and broadcast ranges. */
const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('224.0.0.0', 3, 'ipv4');
NEVER.addSubnet('::', 128, 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');

/** Inside the operator's own networks: allowed only when TRUSTLOOP_WEBHOOK_ALLOW_PRIVATE is set. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('::1', 128, 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

export const MAX_URL_LENGTH = 2048;

/** Why an address may not be called, or null when it may. */
export function addressRefusal(address: string, allowPrivate: boolean): string | null {
  const family = isIP(address);
  if (family === 0) return 'is not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches IPv4 rules against IPv4-mapped IPv6 too, so mapped forms are refused by shape.
  if (family === 6 && /^(0{0,4}:){0,5}:?ffff:/i.test(address)) return 'is a reserved, link-local or multicast address';
  if (NEVER.check(address, type)) return 'is a reserved, link-local or multicast address';
  if (!allowPrivate && PRIVATE.check(address, type)) return 'is a loopback or private address';
  return null;
}

const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Deny by default: http or https only, no credentials, no fragment, bounded length, and an IP
 * literal host must be a public address (private ones only when the operator allows them).
 * Host names are checked again at each delivery, after DNS has answered.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  if (raw.length > MAX_URL_LENGTH) throw invalid('url', `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url', 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url', 'must be http or https');
  if (url.username !== '' || url.password !== '') throw invalid('url', 'must not carry credentials');
  if (url.hash !== '' || raw.includes('#')) throw invalid('url', 'must not carry a fragment');
  const host = bareHost(url.hostname);
  if (host === '') throw invalid('url', 'has no host');
  if (isIP(host) !== 0) {
    const refusal = addressRefusal(host, allowPrivate);
    if (refusal) throw invalid('url', `host ${refusal}`);
  } else if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
    throw invalid('url', 'host is a loopback name');
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses a name resolving to a forbidden address, so a DNS
 * answer cannot steer a delivery into the operator's network (checked on every connection).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((a) => addressRefusal(a.address, allowPrivate) !== null);
      if (refused) {
        const why = addressRefusal(refused.address, allowPrivate)!;
        const denial: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${refused.address}, which ${why}`);
        denial.code = 'ERR_WEBHOOK_ADDRESS';
        return callback(denial, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

export const literalHost = (url: URL): string | null => {
  const host = bareHost(url.hostname);
  return isIP(host) === 0 ? null : host;
};
