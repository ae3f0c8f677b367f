import { TrustloopError } from '../core/errors.js';

/** What an upload may be: decided from its bytes, never from its name or the client's claim alone. */
export interface SniffedType {
  mediaType: string;
  extensions: readonly string[];
}

const PDF: SniffedType = { mediaType: 'application/pdf', extensions: ['pdf'] };
const PNG: SniffedType = { mediaType: 'image/png', extensions: ['png'] };
const JPEG: SniffedType = { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'] };
const TEXT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
};

/** Signatures of things that run: refused by name, whatever the file claims to be. */
const EXECUTABLES: ReadonlyArray<[prefix: number[], what: string]> = [
  [[0x4d, 0x5a], 'a Windows executable (MZ)'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'a Mach-O executable'],
  [[0xfe, 0xed, 0xfa, 0xcf], 'a Mach-O executable'],
  [[0xca, 0xfe, 0xba, 0xbe], 'a Mach-O or Java class file'],
  [[0x23, 0x21], 'a script (#!)'],
  [[0x00, 0x61, 0x73, 0x6d], 'a WebAssembly module'],
];

const startsWith = (bytes: Buffer, prefix: number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

const refuse = (message: string): TrustloopError => new TrustloopError('ERR_EVIDENCE_REFUSED', message);

/**
 * Decides an upload's media type from its content and checks the file name agrees. Executables,
 * unknown binaries and any mismatch (an .exe renamed .pdf) are refused with 415.
 */
export function sniffEvidence(fileName: string, bytes: Buffer): SniffedType {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  if (!extension) throw refuse(`fileName '${fileName}' needs an extension (pdf, png, jpg, txt, csv, json, md, log)`);
  for (const [prefix, what] of EXECUTABLES)
    if (startsWith(bytes, prefix))
      throw refuse(`the content of '${fileName}' is ${what}; executables are never accepted`);
  let sniffed: SniffedType | undefined;
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) sniffed = PDF;
  else if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) sniffed = PNG;
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) sniffed = JPEG;
  else if (isText(bytes)) {
    const mediaType = TEXT_TYPES[extension];
    if (!mediaType) throw refuse(`the content of '${fileName}' is text, which does not match '.${extension}'`);
    if (extension === 'json') {
      try {
        JSON.parse(bytes.toString('utf8'));
      } catch {
        throw refuse(`'${fileName}' is not valid JSON`);
      }
    }
    return { mediaType, extensions: [extension] };
  } else throw refuse(`the content of '${fileName}' is not an accepted type (PDF, PNG, JPEG or UTF-8 text)`);
  if (!sniffed.extensions.includes(extension))
    throw refuse(`the content of '${fileName}' is ${sniffed.mediaType}, which does not match '.${extension}'`);
  return sniffed;
}

/** UTF-8 without NUL or other C0 controls apart from tab, newline and carriage return. */
function isText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  for (const byte of bytes) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
