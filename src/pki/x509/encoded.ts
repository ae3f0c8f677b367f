import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';

/**
 * One DER element that asn1js writes into the structure around it as the bytes it was given.
 * asn1js still frames everything around it (tags, lengths); only this element is not rebuilt.
 */
class EncodedElement extends asn1js.BaseBlock {
  constructor(private readonly der: ArrayBuffer) {
    super();
  }

  override toBER(sizeOnly?: boolean, writer?: asn1js.ViewWriter): ArrayBuffer {
    const bytes = sizeOnly ? new ArrayBuffer(this.der.byteLength) : this.der;
    if (!writer) return bytes.slice(0);
    // The writer keeps the reference and copies it into its result; `der` is never written to.
    writer.write(bytes);
    return new ArrayBuffer(0);
  }
}

export type Encoded<T> = T & { readonly der: ArrayBuffer };

/**
 * `value`, an asn1-schema object, with its DER fixed: serialised on its own or inside another
 * structure, it is written as `der` (by default, its encoding now) without walking its fields
 * again. It is for parts that must stay as they were signed or issued (a certificate embedded in
 * an OCSP response, the response data beside its signature) and parts reused unchanged across
 * responses; its fields must not be changed afterwards. asn1-schema's serializer hands any object
 * with `toASN` and `fromASN` to its `toASN`; the object stays an instance of its class.
 */
export function keepEncoding<T extends object>(value: T, der: ArrayBuffer = AsnConvert.serialize(value)): Encoded<T> {
  const kept = Object.create(Object.getPrototypeOf(value) as object) as Encoded<T>;
  // One element for every serialisation: asn1js only reads it.
  const element = new EncodedElement(der);
  return Object.assign(kept, value, {
    der,
    toASN: () => element,
    fromASN: () => {
      throw new TypeError('a value with a kept encoding is written, not read into');
    },
  });
}

/** Parses `der` as `type` and keeps those exact bytes as its encoding (see `keepEncoding`). */
export function parseKeepingEncoding<T extends object>(der: Uint8Array, type: new () => T): Encoded<T> {
  // Its own copy: a Buffer from Node's shared pool is neither held nor changed through it.
  const own = new Uint8Array(der).buffer;
  return keepEncoding(AsnConvert.parse(own, type), own);
}
