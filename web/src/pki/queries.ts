import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { EnrolmentStatus, NewCa, RevocationReason, SubmitCsr } from './types.js';

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
