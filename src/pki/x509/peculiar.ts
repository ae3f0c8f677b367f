// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata
// polyfill loaded first; every PKI module imports the library through this file.
import 'reflect-metadata';
export {
  AsnEcSignatureFormatter,
  Name,
  PemConverter,
  Pkcs10CertificateRequest,
  X509Certificate,
  X509Crl,
} from '@peculiar/x509';
