import { createHash, createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pkcs11js from 'pkcs11js';
import { TrustloopError, invalid } from '../../core/errors.js';
import { IMPORT_KEY_TYPE, checkWrappedSecretLength, importFailed, splitWrapped } from './import.js';
import { SHA256_DIGEST_INFO, checkDigest } from './prehashed.js';
import {
  SIGNATURE_ALGORITHMS,
  isAsymmetric,
  type GeneratedKey,
  type Keystore,
  type KeyType,
  type KeyVersionRef,
  type SignatureAlgorithm,
} from './types.js';

/** Mechanisms and key types from PKCS#11 3.0 that pkcs11js 2.x does not name. */
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Large enough for any signature or OAEP block this keystore makes (RSA-4096: 512 bytes). */
const MAX_ASYMMETRIC_OUTPUT = 512;

/** DER of the curve OIDs, as CKA_EC_PARAMS wants them. */
const EC_PARAMS = {
  'ec-p256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'ec-p384': Buffer.from('06052b81040022', 'hex'),
  ed25519: Buffer.from('06032b6570', 'hex'),
} as const;
const JWK_CURVE = { 'ec-p256': 'P-256', 'ec-p384': 'P-384', ed25519: 'Ed25519' } as const;
const RSA_BITS: Partial<Record<KeyType, number>> = { 'rsa-2048': 2048, 'rsa-3072': 3072, 'rsa-4096': 4096 };

export interface Pkcs11KeystoreOptions {
  /** Path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  module: string;
  /** The token is found by label: SoftHSM2 gives a fresh token a random slot id. */
  tokenLabel: string;
  /** User PIN. */
  pin: string;
  /** Logged-in sessions calls are spread over (one operation at a time each); one per core by default. */
  sessions?: number;
}

interface TokenKey {
  /** The private or secret key. */
  key: pkcs11js.Handle;
  /** The public key of a pair; null for secret keys. */
  publicKey: pkcs11js.Handle | null;
}

/** The token object label (and CKA_ID) of a key version: what `material` stores. */
export const tokenLabelOf = (ref: Pick<KeyVersionRef, 'keyId' | 'version'>): string =>
  `trustloop:${ref.keyId}:v${ref.version}`;

/** A loaded module, and whether it may be called from several threads at once. */
interface LoadedModule {
  lib: pkcs11js.PKCS11;
  /** Initialised with CKF_OS_LOCKING_OK: the module locks for itself, so sessions may run in parallel. */
  threadSafe: boolean;
}

/** The module is process-wide state: C_Initialize once per module, C_Finalize when its last user closes. */
const modules = new Map<string, LoadedModule & { users: number }>();

function acquireModule(path: string): LoadedModule {
  const held = modules.get(path);
  if (held) {
    held.users += 1;
    return held;
  }
  const lib = new pkcs11js.PKCS11();
  let threadSafe = true;
  try {
    lib.load(path);
    try {
      // The asynchronous calls run on libuv's threads: the module must lock, or see one call at a time.
      lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (error) {
      if (pkcs11Code(error) !== pkcs11js.CKR_CANT_LOCK) throw error;
      threadSafe = false;
      lib.C_Initialize();
    }
  } catch (error) {
    throw new TrustloopError('ERR_CONFIG', `cannot load the PKCS#11 module ${path}`, { cause: error });
  }
  const loaded = { lib, threadSafe, users: 1 };
  modules.set(path, loaded);
  return loaded;
}

const sealedError = () => new TrustloopError('ERR_SEALED', 'the PKCS#11 keystore is not open: no session is logged in');

function releaseModule(path: string): void {
  const held = modules.get(path);
  if (!held) return;
  held.users -= 1;
  if (held.users > 0) return;
  modules.delete(path);
  held.lib.C_Finalize();
  held.lib.close();
}

const pkcs11Code = (error: unknown): number | null => (error instanceof pkcs11js.Pkcs11Error ? error.code : null);

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

/** A CK_ULONG attribute in the platform's byte order: 8 bytes on 64-bit Linux, 4 elsewhere. */
const ulong = (value: Buffer): number =>
  value.length === 8 ? Number(value.readBigUInt64LE(0)) : value.readUIntLE(0, value.length);

/** CKA_EC_POINT is a DER OCTET STRING around the point; some tokens give the bare point. */
function unwrapEcPoint(value: Buffer, pointBytes: number): Buffer {
  if (value.length === pointBytes) return value;
  const headerBytes = value.length - pointBytes;
  if (value[0] !== 0x04 || headerBytes < 2) {
    throw new TrustloopError('ERR_INTERNAL', 'the token returned an EC point in an unknown encoding');
  }
  return value.subarray(headerBytes);
}

/** A logged-in session and the calls queued on it: a session runs one operation at a time. */
interface Lane {
  session: pkcs11js.Handle;
  queue: Promise<unknown>;
  /** Calls queued or running: a new call goes to the lane with the fewest. */
  calls: number;
}

type SessionCall<T> = (lib: pkcs11js.PKCS11, session: pkcs11js.Handle) => Promise<T>;

/**
 * Keys generated and used inside a PKCS#11 token (SoftHSM2, or an HSM through its module). Private
 * and secret keys are created sensitive and non-extractable: no call here can read them out.
 * Calls are spread over a few logged-in sessions, one per core by default (an HSM, like SoftHSM2,
 * works on several sessions at once; one session runs one operation at a time). Changes to the
 * token's objects (generation, import, destruction) wait until every session is idle and hold
 * them all until done.
 *
 * @example
 * const keystore = new Pkcs11Keystore({ module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'trustloop', pin });
 * await keystore.open();
 */
export class Pkcs11Keystore implements Keystore {
  readonly backend = 'pkcs11';
  private lib: pkcs11js.PKCS11 | null = null;
  private lanes: Lane[] = [];
  /** Handles by token label; valid while the keystore is logged in (handles are shared by its sessions). */
  private readonly handles = new Map<string, TokenKey>();

  constructor(private readonly options: Pkcs11KeystoreOptions) {}

  get sealed(): boolean {
    return this.lanes.length === 0;
  }

  /** Opens sessions on the token labelled `tokenLabel`, logged in as the user; a no-op when open. */
  async open(): Promise<void> {
    if (this.lanes.length > 0) return;
    const { lib, threadSafe } = acquireModule(this.options.module);
    const wanted = threadSafe ? Math.max(1, this.options.sessions ?? availableParallelism()) : 1;
    const sessions: pkcs11js.Handle[] = [];
    try {
      const slot = this.findSlot(lib);
      const openSession = () => lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      sessions.push(openSession());
      this.login(lib, sessions[0]!);
      // The login belongs to the application, not the session: the others open logged in.
      while (sessions.length < wanted) sessions.push(openSession());
    } catch (error) {
      for (const session of sessions) lib.C_CloseSession(session);
      releaseModule(this.options.module);
      throw error;
    }
    this.lib = lib;
    this.lanes = sessions.map((session) => ({ session, queue: Promise.resolve(), calls: 0 }));
  }

  /** Waits for calls under way, logs out and releases the module. The keystore is sealed again. */
  async close(): Promise<void> {
    const { lib, lanes } = this;
    if (!lib || lanes.length === 0) return;
    await Promise.all(lanes.map((lane) => lane.queue));
    this.lanes = [];
    this.lib = null;
    this.handles.clear();
    try {
      lib.C_Logout(lanes[0]!.session);
    } catch {
      // Another keystore on the same token may have logged the shared login state out already.
    }
    for (const lane of lanes) lib.C_CloseSession(lane.session);
    releaseModule(this.options.module);
  }

  async generate(ref: Omit<KeyVersionRef, 'material'>): Promise<GeneratedKey> {
    const label = tokenLabelOf(ref);
    return this.exclusive(async (lib, session) => {
      if (this.findObjects(lib, session, label).length > 0) {
        throw new TrustloopError('ERR_CONFLICT', `the token already holds an object labelled ${label}`);
      }
      const common = tokenObject(label);
      const secret = [...common, ...SENSITIVE];
      if (ref.type === 'aes-256-gcm' || ref.type === 'hmac-sha256') {
        const aes = ref.type === 'aes-256-gcm';
        const key = await lib.C_GenerateKeyAsync(
          session,
          { mechanism: aes ? pkcs11js.CKM_AES_KEY_GEN : pkcs11js.CKM_GENERIC_SECRET_KEY_GEN },
          [
            ...secret,
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
            { type: pkcs11js.CKA_KEY_TYPE, value: aes ? pkcs11js.CKK_AES : pkcs11js.CKK_GENERIC_SECRET },
            { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
            { type: aes ? pkcs11js.CKA_ENCRYPT : pkcs11js.CKA_SIGN, value: true },
            { type: aes ? pkcs11js.CKA_DECRYPT : pkcs11js.CKA_VERIFY, value: true },
          ],
        );
        this.handles.set(label, { key, publicKey: null });
        return { material: label, publicKeyPem: null };
      }
      const [mechanism, publicAttrs, privateAttrs] = pairTemplates(ref.type);
      const pair = await lib.C_GenerateKeyPairAsync(
        session,
        { mechanism },
        [...common, { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, ...publicAttrs],
        [...secret, { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, ...privateAttrs],
      );
      this.handles.set(label, { key: pair.privateKey, publicKey: pair.publicKey });
      return { material: label, publicKeyPem: this.publicKeyPem(lib, session, ref.type, pair.publicKey) };
    });
  }

  /** SoftHSM2 2.6 unwraps with RSA-OAEP over SHA-1 only (as AWS KMS's RSA_AES_KEY_WRAP_SHA_1). */
  readonly importAlgorithm = 'RSA_AES_KEY_WRAP_SHA_1';

  async generateImportKey(ref: Pick<KeyVersionRef, 'keyId' | 'version'>): Promise<GeneratedKey> {
    return this.exclusive(async (lib, session) => {
      const label = tokenLabelOf(ref);
      const [mechanism, publicAttrs] = pairTemplates(IMPORT_KEY_TYPE);
      const pair = await lib.C_GenerateKeyPairAsync(
        session,
        { mechanism },
        [...tokenObject(label), { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, ...publicAttrs],
        [
          ...tokenObject(label),
          ...SENSITIVE,
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
          { type: pkcs11js.CKA_UNWRAP, value: true },
        ],
      );
      this.handles.set(label, { key: pair.privateKey, publicKey: pair.publicKey });
      return { material: label, publicKeyPem: this.publicKeyPem(lib, session, IMPORT_KEY_TYPE, pair.publicKey) };
    });
  }

  /**
   * Two C_UnwrapKey calls: RSA-OAEP opens the AES key as a session object that can only unwrap,
   * then AES key wrap with padding creates the target inside the token, sensitive and
   * non-extractable. An RSA key's public object is rebuilt from the private key's public
   * attributes; an EC or Ed25519 key's public half is the caller's, checked by a test signature.
   */
  async importWrapped(
    importKey: KeyVersionRef,
    target: Omit<KeyVersionRef, 'material'>,
    wrapped: Buffer,
    publicKeyPem: string | null,
  ): Promise<GeneratedKey> {
    const { wrappedAesKey, wrappedMaterial } = splitWrapped(wrapped);
    const pair = isAsymmetric(target.type);
    if (!pair) checkWrappedSecretLength(target.type, wrappedMaterial);
    if (pair && !RSA_BITS[target.type] && publicKeyPem === null) {
      throw invalid('publicKey', `a ${target.type} key imported into an HSM needs its public key (SPKI PEM)`);
    }
    return this.exclusive(async (lib, session) => {
      const label = tokenLabelOf(target);
      const aesKey = unwrapOrRefuse(
        () =>
          lib.C_UnwrapKey(session, OAEP_SHA1, this.keyOf(lib, session, importKey).key, wrappedAesKey, [
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
            { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
            { type: pkcs11js.CKA_TOKEN, value: false },
            { type: pkcs11js.CKA_UNWRAP, value: true },
            ...SENSITIVE,
          ]),
        'does not open with this import token (RSA-OAEP with SHA-1 expected)',
      );
      try {
        const key = unwrapOrRefuse(
          () =>
            lib.C_UnwrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, aesKey, wrappedMaterial, [
              ...tokenObject(label),
              ...SENSITIVE,
              ...importedKeyAttributes(target.type),
            ]),
          `is not a ${target.type} key, or failed the AES key wrap integrity check`,
        );
        if (!pair) {
          this.handles.set(label, { key, publicKey: null });
          return { material: label, publicKeyPem: null };
        }
        return {
          material: label,
          publicKeyPem: this.importedPublicKey(lib, session, target.type, key, label, publicKeyPem),
        };
      } finally {
        lib.C_DestroyObject(session, aesKey);
      }
    });
  }

  async sign(ref: KeyVersionRef, algorithm: SignatureAlgorithm, data: Buffer, prehashed = false): Promise<Buffer> {
    if (!SIGNATURE_ALGORITHMS[ref.type]?.includes(algorithm)) {
      throw new TrustloopError('ERR_WRONG_PURPOSE', `a ${ref.type} key cannot sign with ${algorithm}`);
    }
    return this.run(async (lib, session) => {
      const { key } = this.keyOf(lib, session, ref);
      const [mechanism, input] = prehashed ? digestMechanism(algorithm, data) : signMechanism(algorithm, data);
      lib.C_SignInit(session, mechanism, key);
      return lib.C_SignAsync(session, input, Buffer.alloc(MAX_ASYMMETRIC_OUTPUT));
    });
  }

  async encrypt(ref: KeyVersionRef, plaintext: Buffer, aad: Buffer | undefined): Promise<Buffer> {
    return this.run(async (lib, session) => {
      const { key, publicKey } = this.keyOf(lib, session, ref);
      if (ref.type === 'aes-256-gcm') {
        const iv = randomBytes(IV_BYTES);
        lib.C_EncryptInit(session, gcm(iv, aad), key);
        const body = await lib.C_EncryptAsync(session, plaintext, Buffer.alloc(plaintext.length + TAG_BYTES));
        return Buffer.concat([iv, body]);
      }
      initOaep(() => lib.C_EncryptInit(session, oaep(ref.type), publicKey ?? key));
      return lib.C_EncryptAsync(session, plaintext, Buffer.alloc(MAX_ASYMMETRIC_OUTPUT));
    });
  }

  async decrypt(ref: KeyVersionRef, ciphertext: Buffer, aad: Buffer | undefined): Promise<Buffer> {
    const isAes = ref.type === 'aes-256-gcm';
    if (isAes && ciphertext.length < IV_BYTES + TAG_BYTES) {
      throw new TrustloopError('ERR_MALFORMED_CIPHERTEXT', 'the ciphertext is too short to hold a nonce and a tag');
    }
    return this.run(async (lib, session) => {
      const { key } = this.keyOf(lib, session, ref);
      if (isAes) {
        lib.C_DecryptInit(session, gcm(ciphertext.subarray(0, IV_BYTES), aad), key);
        return decrypted(lib.C_DecryptAsync(session, ciphertext.subarray(IV_BYTES), Buffer.alloc(ciphertext.length)));
      }
      initOaep(() => lib.C_DecryptInit(session, oaep(ref.type), key));
      return decrypted(lib.C_DecryptAsync(session, ciphertext, Buffer.alloc(MAX_ASYMMETRIC_OUTPUT)));
    });
  }

  async hmac(ref: KeyVersionRef, data: Buffer): Promise<Buffer> {
    if (ref.type !== 'hmac-sha256') {
      throw new TrustloopError('ERR_WRONG_PURPOSE', `a ${ref.type} key cannot compute an HMAC`);
    }
    return this.run(async (lib, session) => {
      lib.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_HMAC }, this.keyOf(lib, session, ref).key);
      return lib.C_SignAsync(session, data, Buffer.alloc(32));
    });
  }

  /** Deletes the version's token objects; destroying an already destroyed version is a no-op. */
  async destroy(ref: KeyVersionRef): Promise<void> {
    const label = this.labelOf(ref);
    await this.exclusive(async (lib, session) => {
      this.handles.delete(label);
      for (const handle of this.findObjects(lib, session, label)) lib.C_DestroyObject(session, handle);
    });
  }

  /** Runs `op` on the session with the fewest calls waiting, after those calls. */
  private run<T>(op: SessionCall<T>): Promise<T> {
    const lane = this.lanes.reduce<Lane | undefined>(
      (best, one) => (best && best.calls <= one.calls ? best : one),
      undefined,
    );
    return lane ? this.enqueue([lane], lane, op) : Promise.reject(sealedError());
  }

  /** Runs `op` once every session is idle, and starts nothing else on any of them until it is done. */
  private exclusive<T>(op: SessionCall<T>): Promise<T> {
    const lanes = this.lanes;
    return lanes[0] ? this.enqueue(lanes, lanes[0], op) : Promise.reject(sealedError());
  }

  /** Queues `op` on `session` behind every call already queued on `lanes`, and them behind it. */
  private enqueue<T>(lanes: Lane[], session: Lane, op: SessionCall<T>): Promise<T> {
    const result = Promise.all(lanes.map((lane) => lane.queue)).then(() => {
      // Closed (or closed and opened again) while the call waited: its session is gone.
      if (!this.lib || !this.lanes.includes(session)) throw sealedError();
      return op(this.lib, session.session);
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    for (const lane of lanes) {
      lane.calls += 1;
      lane.queue = settled.then(() => {
        lane.calls -= 1;
      });
    }
    return result;
  }

  private findSlot(lib: pkcs11js.PKCS11): pkcs11js.Handle {
    const labels: string[] = [];
    for (const slot of lib.C_GetSlotList(true)) {
      const label = lib.C_GetTokenInfo(slot).label.trim();
      if (label === this.options.tokenLabel) return slot;
      // SoftHSM2 always shows one empty, uninitialised token to init: it is no candidate.
      if (label) labels.push(label);
    }
    throw new TrustloopError(
      'ERR_CONFIG',
      `no PKCS#11 token labelled '${this.options.tokenLabel}' (tokens present: ${labels.join(', ') || 'none'})`,
    );
  }

  private login(lib: pkcs11js.PKCS11, session: pkcs11js.Handle): void {
    try {
      lib.C_Login(session, pkcs11js.CKU_USER, this.options.pin);
    } catch (error) {
      const code = pkcs11Code(error);
      // Login state is shared by every session of the process: a second keystore would be let in
      // without its PIN being checked, so it is refused rather than trusted.
      if (code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        throw new TrustloopError(
          'ERR_CONFLICT',
          `the token '${this.options.tokenLabel}' is already open in this process`,
        );
      }
      const pinRejected = code === pkcs11js.CKR_PIN_INCORRECT || code === pkcs11js.CKR_PIN_LEN_RANGE;
      throw new TrustloopError(
        'ERR_UNSEAL_FAILED',
        pinRejected
          ? `the token '${this.options.tokenLabel}' rejected the PIN`
          : `cannot log in to the token '${this.options.tokenLabel}'`,
        { cause: error },
      );
    }
  }

  /** The material must be the label of this key and version: a reference cannot borrow another key. */
  private labelOf(ref: KeyVersionRef): string {
    const label = tokenLabelOf(ref);
    if (ref.material !== label) {
      throw new TrustloopError('ERR_KEY_POLICY', `material '${ref.material}' is not the token object of ${label}`);
    }
    return label;
  }

  private keyOf(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, ref: KeyVersionRef): TokenKey {
    const label = this.labelOf(ref);
    const cached = this.handles.get(label);
    if (cached) return cached;
    let found: TokenKey | null = null;
    let publicKey: pkcs11js.Handle | null = null;
    for (const handle of this.findObjects(lib, session, label)) {
      const [cls] = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_CLASS }]);
      const objectClass = cls ? ulong(cls.value) : undefined;
      if (objectClass === pkcs11js.CKO_PUBLIC_KEY) publicKey = handle;
      else found = { key: handle, publicKey: null };
    }
    if (!found) {
      throw new TrustloopError('ERR_KEY_DESTROYED', `the token holds no key labelled ${label}: it was destroyed`);
    }
    found.publicKey = publicKey;
    this.handles.set(label, found);
    return found;
  }

  private findObjects(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, label: string): pkcs11js.Handle[] {
    lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
    try {
      return lib.C_FindObjects(session, 8);
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  }

  /** The public half of an imported pair; an RSA key also gets its public token object for encryption. */
  private importedPublicKey(
    lib: pkcs11js.PKCS11,
    session: pkcs11js.Handle,
    type: KeyType,
    key: pkcs11js.Handle,
    label: string,
    claimed: string | null,
  ): string {
    const bits = RSA_BITS[type];
    if (!bits) {
      const [params] = lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_EC_PARAMS }]);
      if (!params!.value.equals(EC_PARAMS[type as keyof typeof EC_PARAMS])) {
        lib.C_DestroyObject(session, key);
        throw importFailed(`holds a key on another curve than ${type}`);
      }
      this.handles.set(label, { key, publicKey: null });
      return claimed!;
    }
    const [modulus, exponent] = lib.C_GetAttributeValue(session, key, [
      { type: pkcs11js.CKA_MODULUS },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT },
    ]);
    if (modulus!.value.length * 8 !== bits) {
      lib.C_DestroyObject(session, key);
      throw importFailed(`holds a ${modulus!.value.length * 8}-bit RSA key, not ${type}`);
    }
    const publicKey = lib.C_CreateObject(session, [
      ...tokenObject(label),
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
      { type: pkcs11js.CKA_MODULUS, value: modulus!.value },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: exponent!.value },
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
    ]);
    this.handles.set(label, { key, publicKey });
    return this.publicKeyPem(lib, session, type, publicKey);
  }

  /** SPKI PEM built from the public values the token reports. */
  private publicKeyPem(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, type: KeyType, handle: pkcs11js.Handle): string {
    const read = (attribute: number): Buffer => {
      const [result] = lib.C_GetAttributeValue(session, handle, [{ type: attribute }]);
      if (!result) throw new TrustloopError('ERR_INTERNAL', `the token did not return attribute ${attribute}`);
      return result.value;
    };
    let jwk: JsonWebKey;
    if (type.startsWith('rsa-')) {
      jwk = { kty: 'RSA', n: b64url(read(pkcs11js.CKA_MODULUS)), e: b64url(read(pkcs11js.CKA_PUBLIC_EXPONENT)) };
    } else if (type === 'ed25519') {
      jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(unwrapEcPoint(read(pkcs11js.CKA_EC_POINT), 32)) };
    } else {
      const curve = type === 'ec-p256' ? 'ec-p256' : 'ec-p384';
      const size = curve === 'ec-p256' ? 32 : 48;
      const point = unwrapEcPoint(read(pkcs11js.CKA_EC_POINT), 1 + 2 * size);
      jwk = {
        kty: 'EC',
        crv: JWK_CURVE[curve],
        x: b64url(point.subarray(1, 1 + size)),
        y: b64url(point.subarray(1 + size)),
      };
    }
    return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  }
}

const tokenObject = (label: string): pkcs11js.Template => [
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_PRIVATE, value: true },
  { type: pkcs11js.CKA_LABEL, value: label },
  { type: pkcs11js.CKA_ID, value: Buffer.from(label) },
];

const SENSITIVE: pkcs11js.Template = [
  { type: pkcs11js.CKA_SENSITIVE, value: true },
  { type: pkcs11js.CKA_EXTRACTABLE, value: false },
];

const OAEP_SHA1_PARAMS: pkcs11js.RsaOAEP = {
  type: pkcs11js.CK_PARAMS_RSA_OAEP,
  hashAlg: pkcs11js.CKM_SHA_1,
  mgf: pkcs11js.CKG_MGF1_SHA1,
  source: 1, // CKZ_DATA_SPECIFIED, with no label
};
const OAEP_SHA1: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter: OAEP_SHA1_PARAMS };

/** Class, type and usages of a key being unwrapped into the token. */
function importedKeyAttributes(type: KeyType): pkcs11js.Template {
  if (type === 'aes-256-gcm' || type === 'hmac-sha256') {
    const aes = type === 'aes-256-gcm';
    return [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: aes ? pkcs11js.CKK_AES : pkcs11js.CKK_GENERIC_SECRET },
      { type: aes ? pkcs11js.CKA_ENCRYPT : pkcs11js.CKA_SIGN, value: true },
      { type: aes ? pkcs11js.CKA_DECRYPT : pkcs11js.CKA_VERIFY, value: true },
    ];
  }
  return [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, ...pairTemplates(type)[2]];
}

/** A token's refusal to unwrap (bad padding, wrong key, malformed PKCS#8) is the caller's fault. */
function unwrapOrRefuse(unwrap: () => pkcs11js.Handle, why: string): pkcs11js.Handle {
  try {
    return unwrap();
  } catch (error) {
    if (pkcs11Code(error) === null) throw error;
    throw importFailed(why);
  }
}

/** Key-pair mechanism and the type-specific public and private attributes. */
function pairTemplates(type: KeyType): [number, pkcs11js.Template, pkcs11js.Template] {
  const bits = RSA_BITS[type];
  if (bits) {
    return [
      pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN,
      [
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
      ],
      [
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
      ],
    ];
  }
  if (type === 'ec-p256' || type === 'ec-p384' || type === 'ed25519') {
    const keyType = type === 'ed25519' ? CKK_EC_EDWARDS : pkcs11js.CKK_EC;
    return [
      type === 'ed25519' ? CKM_EC_EDWARDS_KEY_PAIR_GEN : pkcs11js.CKM_EC_KEY_PAIR_GEN,
      [
        { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
        { type: pkcs11js.CKA_EC_PARAMS, value: EC_PARAMS[type] },
        { type: pkcs11js.CKA_VERIFY, value: true },
      ],
      [
        { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
        { type: pkcs11js.CKA_SIGN, value: true },
      ],
    ];
  }
  throw new TrustloopError('ERR_VALIDATION', `type: ${type} is not a key-pair type`);
}

/** A precomputed digest goes to the raw mechanisms: CKM_ECDSA, and CKM_RSA_PKCS over its DigestInfo. */
function digestMechanism(algorithm: SignatureAlgorithm, digest: Buffer): [pkcs11js.Mechanism, Buffer] {
  checkDigest(algorithm, digest);
  return algorithm === 'RS256'
    ? [{ mechanism: pkcs11js.CKM_RSA_PKCS }, Buffer.concat([SHA256_DIGEST_INFO, digest])]
    : [{ mechanism: pkcs11js.CKM_ECDSA }, digest];
}

/** The mechanism and the bytes it signs; ECDSA signs a digest made here, as SoftHSM2 2.6 has no CKM_ECDSA_SHA*. */
function signMechanism(algorithm: SignatureAlgorithm, data: Buffer): [pkcs11js.Mechanism, Buffer] {
  switch (algorithm) {
    case 'RS256':
      return [{ mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, data];
    case 'PS256':
      return [{ mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter: PSS_SHA256 }, data];
    case 'ES256':
      return [{ mechanism: pkcs11js.CKM_ECDSA }, createHash('sha256').update(data).digest()];
    case 'ES384':
      return [{ mechanism: pkcs11js.CKM_ECDSA }, createHash('sha384').update(data).digest()];
    case 'EdDSA':
      return [{ mechanism: CKM_EDDSA }, data];
  }
}

const PSS_SHA256: pkcs11js.RsaPSS = {
  type: pkcs11js.CK_PARAMS_RSA_PSS,
  hashAlg: pkcs11js.CKM_SHA256,
  mgf: pkcs11js.CKG_MGF1_SHA256,
  saltLen: 32,
};

const decryptionFailed = (cause?: unknown): TrustloopError =>
  new TrustloopError('ERR_DECRYPTION_FAILED', 'the ciphertext does not decrypt under this key and AAD', { cause });

/** A token's refusal to decrypt (a bad tag, bad padding) is one error that says nothing more. */
async function decrypted(result: Promise<Buffer>): Promise<Buffer> {
  try {
    return await result;
  } catch (error) {
    throw decryptionFailed(error);
  }
}

function gcm(iv: Buffer, aad: Buffer | undefined): pkcs11js.Mechanism {
  const parameter: pkcs11js.GcmParams = { type: pkcs11js.CK_PARAMS_AES_GCM, iv, ivBits: iv.length * 8, tagBits: 128 };
  if (aad) parameter.aad = aad;
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
}

/**
 * RSA-OAEP must run in the token with SHA-256 (SoftHSM2 2.6 offers SHA-1 only). Without it the
 * operation is refused rather than padded by hand outside the token.
 */
function initOaep(init: () => void): void {
  try {
    init();
  } catch (error) {
    const code = pkcs11Code(error);
    if (code !== pkcs11js.CKR_ARGUMENTS_BAD && code !== pkcs11js.CKR_MECHANISM_PARAM_INVALID) throw error;
    throw new TrustloopError('ERR_HSM_UNSUPPORTED', 'this HSM does not offer RSA-OAEP with SHA-256');
  }
}

function oaep(type: KeyType): pkcs11js.Mechanism {
  if (!RSA_BITS[type]) throw new TrustloopError('ERR_WRONG_PURPOSE', `a ${type} key cannot encrypt`);
  const parameter: pkcs11js.RsaOAEP = {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
    source: 1, // CKZ_DATA_SPECIFIED, with no label
  };
  return { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter };
}
