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

interface CaRequest {
  id: string;
  name: string;
  parentId: string;
  subject: string;
  status: string;
  caId: string | null;
  csrPem: string;
}

/** Writes a CA request's CSR to `out`, or prints it. */
function deliverCsr(request: CaRequest, out: string | undefined): void {
  if (!out) return writeOut(request.csrPem.trimEnd());
  writeFileSync(out, request.csrPem);
  writeOut(`wrote the CSR of ${request.id} to ${out}`);
}

/** A path segment the server checks again; encoded so no input can leave the segment. */
const segment = (value: string): string => encodeURIComponent(value);

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
  const request = ca
    .command('request')
    .description('an issuing CA under an imported external CA: key in the CPM, CSR signed outside');
  request
    .command('create')
    .description('generate the key in the CPM and get the CSR for the external CA to sign')
    .requiredOption('--name <name>', 'unique name of the future issuing CA')
    .requiredOption('--parent <caId>', 'the imported external CA that will sign it (pca_…)')
    .requiredOption('--cn <commonName>', 'subject common name')
    .option('--key-type <type>', 'ec-p256, ec-p384, rsa-3072 or rsa-4096', 'ec-p384')
    .option('--org <organization>', 'subject organisation')
    .option('--country <CC>', 'subject country')
    .option('--out <file>', 'write the CSR here')
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        name: string;
        parent: string;
        cn: string;
        keyType: string;
        org?: string;
        country?: string;
        out?: string;
        json?: boolean;
      }) => {
        const created = await callServer<CaRequest>('POST', '/api/v1/pki/cas/requests', {
          name: o.name,
          parentId: id(o.parent, 'parent CA id'),
          keyType: o.keyType,
          commonName: o.cn,
          ...(o.org ? { organization: o.org } : {}),
          ...(o.country ? { country: o.country } : {}),
        });
        if (o.json) return printJson(created);
        writeOut(`requested ${created.id} (${created.subject}) under ${created.parentId}: have that CA sign the CSR`);
        deliverCsr(created, o.out);
      },
    );
  request
    .command('list')
    .description('CA requests, newest first')
    .option('--status <status>', 'pending or completed')
    .option('--json', 'machine-readable output')
    .action(async (o: { status?: string; json?: boolean }) => {
      const query = o.status ? `?status=${encodeURIComponent(o.status)}` : '';
      const { items } = await callServer<{ items: CaRequest[] }>('GET', `/api/v1/pki/cas/requests${query}`);
      if (o.json) return printJson(items);
      if (items.length === 0) return writeOut('no CA requests');
      for (const shown of items)
        writeOut(`${shown.id} ${shown.status} ${shown.name} (${shown.subject}) under ${shown.parentId}`);
    });
  request
    .command('show')
    .description('a CA request: its status and CSR')
    .argument('<id>', 'CA request id (csr_…)')
    .option('--out <file>', 'write the CSR here')
    .option('--json', 'machine-readable output')
    .action(async (requestId: string, o: { out?: string; json?: boolean }) => {
      const shown = await callServer<CaRequest>('GET', `/api/v1/pki/cas/requests/${id(requestId, 'CA request id')}`);
      if (o.json) return printJson(shown);
      writeOut(
        `${shown.id} ${shown.name} ${shown.status} (${shown.subject}) under ${shown.parentId}` +
          (shown.caId ? `, issuing CA ${shown.caId}` : ''),
      );
      deliverCsr(shown, o.out);
    });
  request
    .command('complete')
    .description('hand back the certificate the external CA signed; the issuing CA becomes active')
    .argument('<id>', 'CA request id (csr_…)')
    .requiredOption('--cert <file>', 'the signed CA certificate (PEM)')
    .option('--json', 'machine-readable output')
    .action(async (requestId: string, o: { cert: string; json?: boolean }) => {
      const active = await callServer<{ id: string; name: string; subject: string; parentId: string }>(
        'POST',
        `/api/v1/pki/cas/requests/${id(requestId, 'CA request id')}/certificate`,
        { certificatePem: readPem(o.cert) },
      );
      if (o.json) return printJson(active);
      writeOut(`issuing CA ${active.id} (${active.name}, ${active.subject}) is active under ${active.parentId}`);
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

  const domain = pki
    .command('domain')
    .description("DNS domains registered to a participant, which its certificates' names may lie under");
  const domainsOf = (participant: string) => `/api/v1/pki/participants/${segment(participant)}/domains`;
  domain
    .command('list')
    .description("a participant's registered domains")
    .requiredOption('--participant <fspId>', 'the participant')
    .option('--json', 'machine-readable output')
    .action(async (o: { participant: string; json?: boolean }) => {
      const { items } = await callServer<{ items: Record<string, unknown>[] }>('GET', domainsOf(o.participant));
      if (o.json) return printJson(items);
      printTable(items, ['domain', 'participantId', 'registeredBy', 'createdAt']);
    });
  domain
    .command('add')
    .description('register a domain the participant owns (check the ownership first)')
    .argument('<domain>', 'DNS domain, e.g. bank-a.example')
    .requiredOption('--participant <fspId>', 'the participant')
    .action(async (name: string, o: { participant: string }) => {
      const added = await callServer<{ domain: string; participantId: string }>('POST', domainsOf(o.participant), {
        domain: name,
      });
      writeOut(`registered ${added.domain} to ${added.participantId}`);
    });
  domain
    .command('remove')
    .description('remove a registered domain; certificates already issued are not revoked')
    .argument('<domain>', 'DNS domain')
    .requiredOption('--participant <fspId>', 'the participant')
    .action(async (name: string, o: { participant: string }) => {
      await callServer('DELETE', `${domainsOf(o.participant)}/${segment(name)}`);
      writeOut(`removed ${name} from ${o.participant}`);
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
