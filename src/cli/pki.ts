import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { callServer } from './api-client.js';
import { printJson, printTable, writeOut } from './output.js';

interface CertificateDetail {
  certificate: Record<string, unknown> & { id: string; serial: string; notAfter: string; status: string };
  certificatePem: string;
  chainPem: string[];
}

const ID = /^[a-z]{3}_[a-z2-7]{16}$/;
const id = (value: string, what: string): string => {
  if (!ID.test(value))
    throw new TrustloopError('ERR_VALIDATION', `${what} must look like xxx_ followed by 16 characters`);
  return value;
};

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new TrustloopError('ERR_VALIDATION', `cannot read ${file}`);
  }
}

/** Writes the certificate and its chain (issuing CA first) where asked, or prints them. */
function deliver(detail: CertificateDetail, out: string | undefined): void {
  const pem = detail.certificatePem + detail.chainPem.join('');
  if (!out) return writeOut(pem.trimEnd());
  writeFileSync(out, pem);
  writeOut(`wrote ${detail.certificate.id} (serial ${detail.certificate.serial}) and its chain to ${out}`);
}

/** `trustloop pki …`: CAs, enrolment, certificates and CRLs through the running server. */
export function pkiCommands(program: Command): void {
  const pki = program.command('pki').description('the hub PKI (through the running server)');

  const ca = pki.command('ca').description('the CA hierarchy');
  ca.command('create')
    .description('create a root CA, or an issuing CA under --parent; its key is generated in the CPM')
    .requiredOption('--name <name>', 'unique name')
    .requiredOption('--role <role>', 'root or issuing')
    .requiredOption('--cn <commonName>', 'subject common name')
    .option('--parent <caId>', 'the parent CA (issuing CAs)')
    .option('--key-type <type>', 'ec-p256, ec-p384, rsa-3072 or rsa-4096', 'ec-p384')
    .option('--org <organization>', 'subject organisation')
    .option('--country <CC>', 'subject country')
    .option('--permitted-dns <domain...>', 'name constraints: DNS subtrees the CA may certify')
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      const created = await callServer<{ id: string; subject: string }>('POST', '/api/v1/pki/cas', {
        name: o.name,
        role: o.role,
        keyType: o.keyType,
        commonName: o.cn,
        ...(o.parent ? { parentId: o.parent } : {}),
        ...(o.org ? { organization: o.org } : {}),
        ...(o.country ? { country: o.country } : {}),
        ...(o.permittedDns ? { permittedDns: o.permittedDns } : {}),
      });
      if (o.json) return printJson(created);
      writeOut(`created ${created.id} (${created.subject})`);
    });
  ca.command('import')
    .description('import an external CA certificate as a trust anchor (its key stays outside)')
    .requiredOption('--name <name>', 'unique name')
    .requiredOption('--cert <file>', 'PEM certificate')
    .action(async (o: { name: string; cert: string }) => {
      const imported = await callServer<{ id: string; role: string }>('POST', '/api/v1/pki/cas/import', {
        name: o.name,
        certificatePem: readPem(o.cert),
      });
      writeOut(`imported ${imported.id} as ${imported.role} trust anchor`);
    });
  ca.command('revoke')
    .description("revoke an issuing CA this hub signed: it stops signing and goes on its parent's CRL")
    .argument('<id>', 'CA id (pca_…)')
    .requiredOption('--reason <reason>', 'RFC 5280 reason (cACompromise, superseded, cessationOfOperation, …)')
    .action(async (caId: string, o: { reason: string }) => {
      const revoked = await callServer<{ id: string; parentId: string }>(
        'POST',
        `/api/v1/pki/cas/${id(caId, 'CA id')}/revoke`,
        { reason: o.reason },
      );
      writeOut(`revoked ${revoked.id}; the CRL of ${revoked.parentId} is reissued`);
    });
  ca.command('crl-import')
    .description("import an external CA's current CRL (PEM or DER file); the mTLS listener needs it")
    .argument('<id>', 'the imported external CA (pca_…)')
    .requiredOption('--crl <file>', 'the CRL that external CA signed, PEM or DER')
    .action(async (caId: string, o: { crl: string }) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(o.crl);
      } catch {
        throw new TrustloopError('ERR_VALIDATION', `cannot read ${o.crl}`);
      }
      const text = bytes.subarray(0, 32).toString('latin1').trimStart().startsWith('-----')
        ? bytes.toString('utf8')
        : bytes.toString('base64');
      const crl = await callServer<{ crlNumber: number; nextUpdate: string }>(
        'POST',
        `/api/v1/pki/cas/${id(caId, 'CA id')}/crl/import`,
        { crl: text },
      );
      writeOut(`imported CRL number ${crl.crlNumber} of ${caId}; next update due ${crl.nextUpdate}`);
    });
  ca.command('list')
    .description('the CA hierarchy')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const { items } = await callServer<{ items: Record<string, unknown>[] }>('GET', '/api/v1/pki/cas');
      if (o.json) return printJson(items);
      printTable(items, ['id', 'name', 'role', 'source', 'keyType', 'subject', 'notAfter', 'crlNumber']);
    });

  const csr = pki.command('csr').description('enrolment: certificate signing requests');
  csr
    .command('submit')
    .description('submit a CSR (PEM file) for a profile: mtls-server, mtls-client or jws-signing')
    .requiredOption('--csr <file>', 'the CSR made with openssl req')
    .requiredOption('--profile <profile>', 'mtls-server, mtls-client or jws-signing')
    .option('--participant <fspId>', 'the participant (hub callers; a participant token enrols for itself)')
    .option('--renews <certificateId>', 'the certificate this one renews (kept valid until it expires)')
    .option('--json', 'machine-readable output')
    .action(async (o: { csr: string; profile: string; participant?: string; renews?: string; json?: boolean }) => {
      const enrolment = await callServer<{ id: string; status: string; checks: { id: string; status: string }[] }>(
        'POST',
        '/api/v1/pki/enrolments',
        {
          profile: o.profile,
          csrPem: readPem(o.csr),
          ...(o.participant ? { participantId: o.participant } : {}),
          ...(o.renews ? { renewsCertificateId: id(o.renews, 'certificate id') } : {}),
        },
      );
      if (o.json) return printJson(enrolment);
      for (const check of enrolment.checks) writeOut(`  ${check.status.padEnd(13)} ${check.id}`);
      writeOut(`submitted ${enrolment.id}: ${enrolment.status}, waiting for an officer`);
    });
  csr
    .command('list')
    .description('the enrolment queue')
    .option('--status <status>', 'pending, issued or rejected')
    .option('--json', 'machine-readable output')
    .action(async (o: { status?: string; json?: boolean }) => {
      const { items } = await callServer<{ items: Record<string, unknown>[] }>(
        'GET',
        `/api/v1/pki/enrolments${o.status ? `?status=${encodeURIComponent(o.status)}` : ''}`,
      );
      if (o.json) return printJson(items);
      printTable(items, ['id', 'participantId', 'profile', 'subject', 'keyType', 'status', 'createdAt']);
    });
  csr
    .command('approve')
    .description('approve an enrolment; the last approval needed issues the certificate')
    .argument('<id>', 'enrolment id (csr_…)')
    .option('--out <file>', 'write the certificate and chain here')
    .action(async (enrolmentId: string, o: { out?: string }) => {
      const result = await callServer<{ enrolment: { status: string }; certificate: CertificateDetail | null }>(
        'POST',
        `/api/v1/pki/enrolments/${id(enrolmentId, 'enrolment id')}/approve`,
      );
      if (!result.certificate) return writeOut(`approved; ${result.enrolment.status}, a second officer must approve`);
      deliver(result.certificate, o.out);
    });
  csr
    .command('reject')
    .description('reject an enrolment')
    .argument('<id>', 'enrolment id (csr_…)')
    .requiredOption('--reason <text>', 'why')
    .action(async (enrolmentId: string, o: { reason: string }) => {
      await callServer('POST', `/api/v1/pki/enrolments/${id(enrolmentId, 'enrolment id')}/reject`, {
        reason: o.reason,
      });
      writeOut(`rejected ${enrolmentId}`);
    });

  const cert = pki.command('cert').description('issued certificates');
  cert
    .command('list')
    .description('certificates, or those expiring within --expiring days')
    .option('--participant <fspId>', 'one participant')
    .option('--expiring <days>', 'only valid certificates expiring within this many days')
    .option('--json', 'machine-readable output')
    .action(async (o: { participant?: string; expiring?: string; json?: boolean }) => {
      const query = o.participant ? `participantId=${encodeURIComponent(o.participant)}` : '';
      const items = o.expiring
        ? (
            await callServer<{ certificates: Record<string, unknown>[] }>(
              'GET',
              `/api/v1/pki/certificates/expiring?withinDays=${encodeURIComponent(o.expiring)}${query ? `&${query}` : ''}`,
            )
          ).certificates
        : (await callServer<{ items: Record<string, unknown>[] }>('GET', `/api/v1/pki/certificates?${query}`)).items;
      if (o.json) return printJson(items);
      printTable(items, ['id', 'participantId', 'profile', 'subject', 'status', 'notAfter', 'daysToExpiry', 'serial']);
    });
  cert
    .command('show')
    .description('one certificate with its PEM and chain')
    .argument('<id>', 'certificate id (crt_…)')
    .option('--out <file>', 'write the certificate and chain here')
    .option('--json', 'machine-readable output')
    .action(async (certificateId: string, o: { out?: string; json?: boolean }) => {
      const detail = await callServer<CertificateDetail>(
        'GET',
        `/api/v1/pki/certificates/${id(certificateId, 'certificate id')}`,
      );
      if (o.json) return printJson(detail);
      const c = detail.certificate;
      writeOut(
        `${c.id} ${String(c.profile)} ${String(c.subject)} ${c.status}, serial ${c.serial}, until ${c.notAfter}`,
      );
      deliver(detail, o.out);
    });
  cert
    .command('revoke')
    .description('revoke with an RFC 5280 reason (keyCompromise, superseded, cessationOfOperation, …)')
    .argument('<id>', 'certificate id (crt_…)')
    .requiredOption('--reason <reason>', 'RFC 5280 reason')
    .action(async (certificateId: string, o: { reason: string }) => {
      const detail = await callServer<CertificateDetail>(
        'POST',
        `/api/v1/pki/certificates/${id(certificateId, 'certificate id')}/revoke`,
        { reason: o.reason },
      );
      writeOut(`revoked ${detail.certificate.id} (serial ${detail.certificate.serial}); the CRL is reissued`);
    });

  pki
    .command('crl')
    .description("a CA's current CRL as PEM (its public DER URL is printed too)")
    .argument('<caId>', 'CA id (pca_…)')
    .option('--out <file>', 'write the PEM here')
    .action(async (caId: string, o: { out?: string }) => {
      const crl = await callServer<{ crlNumber: number; nextUpdate: string; url: string; pem: string }>(
        'GET',
        `/api/v1/pki/cas/${id(caId, 'CA id')}/crl`,
      );
      if (o.out) writeFileSync(o.out, crl.pem);
      else writeOut(crl.pem.trimEnd());
      writeOut(`CRL #${crl.crlNumber}, next update ${crl.nextUpdate}, public at ${crl.url}`);
    });
}
