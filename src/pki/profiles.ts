import type { ExtendedKeyUsageName, KeyUsageName } from './x509/build.js';
import type { KeyInfo } from './x509/algorithms.js';

export const PROFILE_NAMES = ['mtls-server', 'mtls-client', 'jws-signing', 'ocsp-signing'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * What a certificate of a profile may say. Subject names are tied to the participant: the common
 * name is the participant id (or, for a server, one of its DNS names), and DNS names must lie
 * under `<participant id>.<scheme DNS domain>`.
 */
export interface Profile {
  name: ProfileName;
  lifetimeDays: number;
  keyUsage: { ec: KeyUsageName[]; rsa: KeyUsageName[] };
  extendedKeyUsage: ExtendedKeyUsageName[];
  /** At least one DNS name is required (TLS servers are reached by name). */
  requiresDnsName: boolean;
  /** Participants can enrol for it; otherwise only the hub issues it to itself. */
  enrolable: boolean;
  ocspNoCheck: boolean;
}

export const PROFILES: Record<ProfileName, Profile> = {
  'mtls-server': {
    name: 'mtls-server',
    lifetimeDays: 397,
    keyUsage: { ec: ['digitalSignature'], rsa: ['digitalSignature', 'keyEncipherment'] },
    extendedKeyUsage: ['serverAuth'],
    requiresDnsName: true,
    enrolable: true,
    ocspNoCheck: false,
  },
  'mtls-client': {
    name: 'mtls-client',
    lifetimeDays: 397,
    keyUsage: { ec: ['digitalSignature'], rsa: ['digitalSignature', 'keyEncipherment'] },
    extendedKeyUsage: ['clientAuth'],
    requiresDnsName: false,
    enrolable: true,
    ocspNoCheck: false,
  },
  'jws-signing': {
    name: 'jws-signing',
    lifetimeDays: 730,
    keyUsage: { ec: ['digitalSignature', 'nonRepudiation'], rsa: ['digitalSignature', 'nonRepudiation'] },
    extendedKeyUsage: [],
    requiresDnsName: false,
    enrolable: true,
    ocspNoCheck: false,
  },
  'ocsp-signing': {
    name: 'ocsp-signing',
    lifetimeDays: 30,
    keyUsage: { ec: ['digitalSignature'], rsa: ['digitalSignature'] },
    extendedKeyUsage: ['ocspSigning'],
    requiresDnsName: false,
    enrolable: false,
    ocspNoCheck: true,
  },
};

export const isProfileName = (value: string): value is ProfileName =>
  (PROFILE_NAMES as readonly string[]).includes(value);

export const keyUsageFor = (profile: Profile, key: KeyInfo): KeyUsageName[] =>
  key.family === 'rsa' ? profile.keyUsage.rsa : profile.keyUsage.ec;

export interface KeyVerdict {
  typeOk: boolean;
  sizeOk: boolean;
  strengthBits: number;
  /** Accepted only because the scheme's policy allows RSA-2048; reported as weaker. */
  weaker: boolean;
  message: string;
}

/**
 * The scheme's key rules: EC P-256 or P-384, RSA of 3072 bits or more (128-bit strength, NIST
 * SP 800-57). RSA-2048 (112-bit) passes only where the scheme allows it, marked weaker.
 */
export function judgeKey(key: KeyInfo, allowRsa2048: boolean): KeyVerdict {
  if (key.family === 'ec') {
    if (key.type === 'ec-p256')
      return { typeOk: true, sizeOk: true, strengthBits: 128, weaker: false, message: 'EC P-256' };
    if (key.type === 'ec-p384')
      return { typeOk: true, sizeOk: true, strengthBits: 192, weaker: false, message: 'EC P-384' };
    return {
      typeOk: false,
      sizeOk: false,
      strengthBits: 0,
      weaker: false,
      message: `curve ${key.curve ?? 'unknown'} is not accepted; use P-256 or P-384`,
    };
  }
  if (key.family === 'rsa') {
    if (key.bits > 8192)
      return {
        typeOk: true,
        sizeOk: false,
        strengthBits: 0,
        weaker: false,
        message: `RSA-${key.bits} is larger than 8192 bits`,
      };
    if (key.bits >= 3072) {
      const strengthBits = key.bits >= 7680 ? 192 : key.bits >= 4096 ? 152 : 128;
      return { typeOk: true, sizeOk: true, strengthBits, weaker: false, message: `RSA-${key.bits}` };
    }
    if (key.bits >= 2048 && allowRsa2048) {
      return {
        typeOk: true,
        sizeOk: true,
        strengthBits: 112,
        weaker: true,
        message: `RSA-${key.bits} accepted by scheme policy; 112-bit strength, weaker than the 128-bit default`,
      };
    }
    return {
      typeOk: true,
      sizeOk: false,
      strengthBits: 0,
      weaker: false,
      message: `RSA-${key.bits} is too weak; use RSA-3072 or more${allowRsa2048 ? '' : ' (RSA-2048 is not allowed by this scheme)'}`,
    };
  }
  return {
    typeOk: false,
    sizeOk: false,
    strengthBits: 0,
    weaker: false,
    message: `${key.type} keys are not accepted; use EC P-256/P-384 or RSA`,
  };
}

/** The DNS namespace the scheme gives a participant: its id under the scheme's domain. */
export const participantDomain = (participantId: string, schemeDomain: string): string =>
  `${participantId.toLowerCase()}.${schemeDomain}`;

/**
 * A DNS name is the participant's if it lies in its namespace under the scheme's domain or under a
 * domain registered to it (`registered`, from the domain registry).
 */
export function nameBelongsTo(
  name: string,
  participantId: string,
  schemeDomain: string,
  registered: readonly string[] = [],
): boolean {
  const lower = name.toLowerCase();
  return [participantDomain(participantId, schemeDomain), ...registered].some(
    (domain) => lower === domain || lower.endsWith(`.${domain}`),
  );
}

/** The domains a participant's names may lie under, for messages. */
export const ownDomainsText = (participantId: string, schemeDomain: string, registered: readonly string[]): string =>
  [participantDomain(participantId, schemeDomain), ...registered].slice(0, 6).join(', ');
