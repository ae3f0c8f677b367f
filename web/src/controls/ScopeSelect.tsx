import { NativeSelect } from '@mantine/core';
import { useScopes } from './queries.js';

interface Props {
  value: string | null;
  onChange: (participantId: string | null) => void;
  label: string;
  /** The entry meaning "no participant" (e.g. the scheme-wide matrix); without it a participant must be chosen. */
  noneLabel?: string;
}

/** Picks a scope: the hub or one participant, among those the caller may see. */
export function ScopeSelect({ value, onChange, label, noneLabel }: Props) {
  const scopes = useScopes();
  const options = (scopes.data?.items ?? []).map((participant) => ({
    value: participant.id,
    label: `${participant.name} (${participant.id})`,
  }));
  return (
    <NativeSelect
      label={label}
      value={value ?? ''}
      onChange={(event) => onChange(event.currentTarget.value === '' ? null : event.currentTarget.value)}
      data={noneLabel === undefined ? options : [{ value: '', label: noneLabel }, ...options]}
    />
  );
}
