import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { EnrolmentStatus, ImportCa, NewCa, NewCaRequest, RevocationReason, SubmitCsr } from './types.js';

/**
 * Every PKI query lives under this prefix: an issuance touches the queue, the certificate list and
 * the CAs' CRL numbers at once, so one invalidation refreshes whatever page is open.
 */
export const PKI_KEY = ['pki'] as const;

export const useCas = () =>
  useQuery({ queryKey: [...PKI_KEY, 'cas'], queryFn: () => unwrap(api.GET('/api/v1/pki/cas')) });

export const useCrl = (caId: string | null) =>
  useQuery({
    queryKey: [...PKI_KEY, 'crl', caId],
    queryFn:
      caId === null ? skipToken : () => unwrap(api.GET('/api/v1/pki/cas/{id}/crl', { params: { path: { id: caId } } })),
  });

export function useCreateCa() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCa) => unwrap(api.POST('/api/v1/pki/cas', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export function useImportCa() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ImportCa) => unwrap(api.POST('/api/v1/pki/cas/import', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

/** Revokes an issuing CA: it stops signing, and its parent's CRL is reissued with it on it. */
export function useRevokeCa(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: RevocationReason) =>
      unwrap(api.POST('/api/v1/pki/cas/{id}/revoke', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

/** Imports an external CA's current CRL (PEM text or base64 DER): the mTLS listener needs it for chains through that CA. */
export function useImportCrl(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (crl: string) =>
      unwrap(api.POST('/api/v1/pki/cas/{id}/crl/import', { params: { path: { id } }, body: { crl } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

/** Starts an issuing CA under an imported external CA: the key is made in the CPM, the CSR goes out to be signed. */
export function useRequestCa() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCaRequest) => unwrap(api.POST('/api/v1/pki/cas/requests', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export const usePendingCaRequests = () =>
  useQuery({
    queryKey: [...PKI_KEY, 'ca-requests', 'pending'],
    queryFn: () => unwrap(api.GET('/api/v1/pki/cas/requests', { params: { query: { status: 'pending' } } })),
  });

export const useCaRequest = (id: string | null) =>
  useQuery({
    queryKey: [...PKI_KEY, 'ca-request', id],
    queryFn:
      id === null ? skipToken : () => unwrap(api.GET('/api/v1/pki/cas/requests/{id}', { params: { path: { id } } })),
  });

/** Hands back the certificate the external CA signed; the issuing CA becomes active. */
export function useCompleteCaRequest(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (certificatePem: string) =>
      unwrap(
        api.POST('/api/v1/pki/cas/requests/{id}/certificate', { params: { path: { id } }, body: { certificatePem } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

/** Every participant the caller may see, for choosing whose domains to show (the server's page limit). */
export const useParticipantIds = (enabled: boolean) =>
  useQuery({
    queryKey: [...PKI_KEY, 'participant-ids'],
    queryFn: enabled
      ? async () =>
          (await unwrap(api.GET('/api/v1/participants', { params: { query: { limit: 500 } } }))).items.map(
            (participant) => participant.id,
          )
      : skipToken,
  });

export const useDomains = (participantId: string | null) =>
  useQuery({
    queryKey: [...PKI_KEY, 'domains', participantId],
    queryFn:
      participantId === null
        ? skipToken
        : () =>
            unwrap(
              api.GET('/api/v1/pki/participants/{participantId}/domains', { params: { path: { participantId } } }),
            ),
  });

export function useRegisterDomain(participantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (domain: string) =>
      unwrap(
        api.POST('/api/v1/pki/participants/{participantId}/domains', {
          params: { path: { participantId } },
          body: { domain },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: [...PKI_KEY, 'domains', participantId] }),
  });
}

export function useRemoveDomain(participantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (domain: string) =>
      unwrap(
        api.DELETE('/api/v1/pki/participants/{participantId}/domains/{domain}', {
          params: { path: { participantId, domain } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: [...PKI_KEY, 'domains', participantId] }),
  });
}

export const useEnrolments = (status: EnrolmentStatus | null) =>
  useQuery({
    queryKey: [...PKI_KEY, 'enrolments', status],
    queryFn: () => unwrap(api.GET('/api/v1/pki/enrolments', { params: { query: status === null ? {} : { status } } })),
  });

/** Runs the nine checks on a CSR without queueing it. */
export const useValidateCsr = () =>
  useMutation({ mutationFn: (body: SubmitCsr) => unwrap(api.POST('/api/v1/pki/enrolments/validate', { body })) });

export function useSubmitCsr() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SubmitCsr) => unwrap(api.POST('/api/v1/pki/enrolments', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export function useApproveEnrolment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/pki/enrolments/{id}/approve', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export function useRejectEnrolment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.POST('/api/v1/pki/enrolments/{id}/reject', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export const useCertificates = () =>
  useQuery({
    queryKey: [...PKI_KEY, 'certificates'],
    queryFn: () => unwrap(api.GET('/api/v1/pki/certificates', { params: { query: { limit: 500 } } })),
  });

export const useCertificate = (id: string | null) =>
  useQuery({
    queryKey: [...PKI_KEY, 'certificate', id],
    queryFn:
      id === null ? skipToken : () => unwrap(api.GET('/api/v1/pki/certificates/{id}', { params: { path: { id } } })),
  });

export function useRevokeCertificate(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: RevocationReason) =>
      unwrap(api.POST('/api/v1/pki/certificates/{id}/revoke', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PKI_KEY }),
  });
}

export const useExpiring = (withinDays: number) =>
  useQuery({
    queryKey: [...PKI_KEY, 'expiring', withinDays],
    queryFn: () => unwrap(api.GET('/api/v1/pki/certificates/expiring', { params: { query: { withinDays } } })),
  });
