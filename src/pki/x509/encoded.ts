import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';

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

/** The asn1-schema serializer's hook (an object with toASN/fromASN) for DER kept as it is. */
export const encodedElement = (der: ArrayBuffer): asn1js.BaseBlock => new EncodedElement(der);

/** Its own copy of the bytes, so a Buffer from Node's shared pool is not held (or changed) through it. */
export const ownBytes = (der: Uint8Array): ArrayBuffer => new Uint8Array(der).buffer;

/**
 * A parsed certificate that serialises to the DER it was read from. A certificate embedded in
 * another structure (the responder's, in every OCSP response) must be carried as issued, and
 * encoding it again from its fields walked every node of it each time: a quarter of a signed
 * OCSP response's CPU time.
 */
export class EncodedCertificate extends asn.Certificate {
  private der: ArrayBuffer;

  constructor(der: Uint8Array) {
    super(AsnConvert.parse(der, asn.Certificate));
    this.der = ownBytes(der);
  }

  toASN(): asn1js.BaseBlock {
    return encodedElement(this.der);
  }

  /** The serializer takes an object with both hooks for a convertible one; reading uses it too. */
  fromASN(element: asn1js.BaseBlock): this {
    this.der = ownBytes(element.valueBeforeDecodeView);
    Object.assign(this, AsnConvert.parse(this.der, asn.Certificate));
    return this;
  }
}
