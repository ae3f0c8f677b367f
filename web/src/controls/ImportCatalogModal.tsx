import { Button, FileInput, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useImportCatalog } from './queries.js';
import type { CatalogImport, CatalogSummary } from './types.js';

type Format = CatalogImport['format'];

/** The server's limit on the document, in characters (ImportCatalog in src/controls/schemas.ts). */
const MAX_CHARS = 900_000;

const guessFormat = (name: string): Format | null =>
  /\.json$/i.test(name) ? 'oscal' : /\.ya?ml$/i.test(name) ? 'ciso-assistant' : null;

interface Props {
  onClose: () => void;
  onImported: (catalog: CatalogSummary) => void;
}

/**
 * Upload of a further catalog: an OSCAL catalog (JSON) or a CISO Assistant framework library
 * (YAML). The file is read in the browser and sent as text; the server parses and checks it.
 */
export function ImportCatalogModal({ onClose, onImported }: Props) {
  const importCatalog = useImportCatalog();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>('oscal');
  const [problem, setProblem] = useState<string | null>(null);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setProblem(null);
    importCatalog.reset();
    const guessed = chosen ? guessFormat(chosen.name) : null;
    if (guessed) setFormat(guessed);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    const content = await file.text();
    if (content.length > MAX_CHARS) {
      setProblem(`${file.name} has ${content.length} characters; the limit is ${MAX_CHARS}.`);
      return;
    }
    importCatalog.mutate({ format, content }, { onSuccess: onImported });
  };

  return (
    <Modal opened onClose={onClose} title="Import a catalog" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={(event) => void submit(event)} aria-label="Import catalog">
        <Stack>
          <FileInput
            label="Catalog file"
            placeholder="OSCAL catalog .json or CISO Assistant .yaml"
            value={file}
            onChange={choose}
            accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
            clearable
          />
          <Radio.Group label="Format" value={format} onChange={(value) => setFormat(value as Format)}>
            <Group mt={4}>
              <Radio value="oscal" label="OSCAL catalog (JSON)" />
              <Radio value="ciso-assistant" label="CISO Assistant library (YAML)" />
            </Group>
          </Radio.Group>
          <Text size="xs" c="dimmed">
            Requirements keep their own numbers; a catalog whose URN exists already is refused.
          </Text>
          {problem && (
            <Text size="sm" c="red" role="alert">
              {problem}
            </Text>
          )}
          <ErrorAlert error={importCatalog.error} title="Catalog not imported" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={!file} loading={importCatalog.isPending}>
              Import
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
