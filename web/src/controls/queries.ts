import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type {
  CatalogImport,
  ItemChange,
  NewAssessment,
  NewFileEvidence,
  NewLinkEvidence,
  SetResponsibility,
} from './types.js';

/** Every controls query lives under this prefix: a change refreshes matrices, assessments, gaps and evidence. */
export const CONTROLS_KEY = ['controls'] as const;

export const useCatalogs = () =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'catalogs'],
    queryFn: () => unwrap(api.GET('/api/v1/controls/catalogs')),
    staleTime: 60_000,
  });

export const useCatalog = (catalog: string | null) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'catalog', catalog],
    queryFn:
      catalog === null
        ? skipToken
        : () => unwrap(api.GET('/api/v1/controls/catalogs/{catalog}', { params: { path: { catalog } } })),
    staleTime: 60_000,
  });

export const useRequirement = (catalog: string | null, ref: string | null) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'requirement', catalog, ref],
    queryFn:
      catalog === null || ref === null
        ? skipToken
        : () =>
            unwrap(
              api.GET('/api/v1/controls/catalogs/{catalog}/requirements/{ref}', {
                params: { path: { catalog, ref } },
              }),
            ),
  });

/** The scheme-wide matrix (`participantId` null), or the one in force for a participant. */
export const useResponsibility = (catalog: string | null, participantId: string | null) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'responsibility', catalog, participantId],
    queryFn:
      catalog === null
        ? skipToken
        : () =>
            unwrap(
              api.GET('/api/v1/controls/catalogs/{catalog}/responsibility', {
                params: { path: { catalog }, query: participantId === null ? {} : { participantId } },
              }),
            ),
  });

export function useSetResponsibility(catalog: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ref, body }: { ref: string; body: SetResponsibility }) =>
      unwrap(
        api.PUT('/api/v1/controls/catalogs/{catalog}/responsibility/{ref}', {
          params: { path: { catalog, ref } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export function useClearOverride(catalog: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ref, participantId }: { ref: string; participantId: string }) =>
      unwrap(
        api.DELETE('/api/v1/controls/catalogs/{catalog}/responsibility/{ref}', {
          params: { path: { catalog, ref }, query: { participantId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

/** Participants (the hub among them) a scope can be chosen from; the caller sees only those it may. */
export const useScopes = () =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'scopes'],
    queryFn: () => unwrap(api.GET('/api/v1/participants', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });

/** Imports a catalog from OSCAL catalog JSON or a CISO Assistant library YAML. */
export function useImportCatalog() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CatalogImport) => unwrap(api.POST('/api/v1/controls/catalogs', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

/** Marks a participant as running on the hub's hosted service (it then inherits the hub's shared controls), or not. */
export function useSetHosting(participantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (hosted: boolean) =>
      unwrap(
        api.PUT('/api/v1/controls/participants/{id}/hosting', {
          params: { path: { id: participantId } },
          body: { hosted },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export const useAssessments = () =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'assessments'],
    queryFn: () => unwrap(api.GET('/api/v1/controls/assessments')),
  });

export const useAssessment = (id: string | null) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'assessment', id],
    queryFn:
      id === null
        ? skipToken
        : () => unwrap(api.GET('/api/v1/controls/assessments/{id}', { params: { path: { id } } })),
  });

export const useSnapshots = (id: string) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'snapshots', id],
    queryFn: () => unwrap(api.GET('/api/v1/controls/assessments/{id}/snapshots', { params: { path: { id } } })),
  });

export const useGapReport = (id: string | null) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'gaps', id],
    queryFn:
      id === null
        ? skipToken
        : () => unwrap(api.GET('/api/v1/controls/assessments/{id}/gaps', { params: { path: { id } } })),
  });

export const useHeatMap = () =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'heat-map'],
    queryFn: () => unwrap(api.GET('/api/v1/controls/heat-map')),
  });

export function useCreateAssessment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAssessment) => unwrap(api.POST('/api/v1/controls/assessments', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export function useUpdateItems(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (items: ItemChange[]) =>
      unwrap(api.PATCH('/api/v1/controls/assessments/{id}/items', { params: { path: { id } }, body: { items } })),
    onSuccess: (data) => {
      client.setQueryData([...CONTROLS_KEY, 'assessment', id], data);
      return client.invalidateQueries({ queryKey: CONTROLS_KEY });
    },
  });
}

/** Accepts the mapping-driven suggestion of each requirement: the server writes it with its provenance. */
export function useAcceptSuggestions(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (refs: string[]) =>
      unwrap(
        api.POST('/api/v1/controls/assessments/{id}/suggestions/accept', {
          params: { path: { id } },
          body: { refs },
        }),
      ),
    onSuccess: (data) => {
      client.setQueryData([...CONTROLS_KEY, 'assessment', id], data);
      return client.invalidateQueries({ queryKey: CONTROLS_KEY });
    },
  });
}

export function useSignOff(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/controls/assessments/{id}/sign-off', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export function useReopen(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/controls/assessments/{id}/reopen', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export const useEvidence = (participantId: string) =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'evidence', participantId],
    queryFn: () => unwrap(api.GET('/api/v1/controls/evidence', { params: { query: { participantId, limit: 200 } } })),
  });

export function useUploadEvidence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewFileEvidence) => unwrap(api.POST('/api/v1/controls/evidence/files', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export function useLinkEvidence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewLinkEvidence) => unwrap(api.POST('/api/v1/controls/evidence/links', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}

export const useCollectors = () =>
  useQuery({
    queryKey: [...CONTROLS_KEY, 'collectors'],
    queryFn: () => unwrap(api.GET('/api/v1/controls/collectors')),
    staleTime: 60_000,
  });

export function useRunCollectors() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/controls/collectors/runs', { body: {} })),
    onSuccess: () => client.invalidateQueries({ queryKey: CONTROLS_KEY }),
  });
}
