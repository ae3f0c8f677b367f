import { NativeSelect } from '@mantine/core';
import { useEffect } from 'react';
import { useCatalogs } from './queries.js';

interface Props {
  value: string | null;
  onChange: (urn: string) => void;
  label?: string;
}

/** Picks one catalog in force; with nothing chosen yet, the first one is taken. */
export function CatalogSelect({ value, onChange, label = 'Catalog' }: Props) {
  const catalogs = useCatalogs();
  const items = catalogs.data?.items ?? [];
  const first = items[0]?.urn;
  useEffect(() => {
    if (value === null && first !== undefined) onChange(first);
  }, [value, first, onChange]);
  return (
    <NativeSelect
      label={label}
      value={value ?? ''}
      onChange={(event) => onChange(event.currentTarget.value)}
      data={items.map((catalog) => ({ value: catalog.urn, label: `${catalog.name} ${catalog.version}` }))}
    />
  );
}
