import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { PartyBadge } from './badges.js';
import { CatalogSelect } from './CatalogSelect.js';
import { ImportCatalogModal } from './ImportCatalogModal.js';
import { useCatalog, useCatalogs, useRequirement } from './queries.js';
import { parentsOf, visibleRequirements } from './requirement-tree.js';

/** Catalogs in force, each as a searchable requirement tree; one requirement opens with its mappings. */
export function CatalogsPage() {
  const [params, setParams] = useSearchParams();
  const catalogUrn = params.get('catalog');
  const ref = params.get('ref');
  const search = params.get('q') ?? '';
  const catalogs = useCatalogs();
  const catalog = useCatalog(catalogUrn);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [importing, setImporting] = useState(false);
  const can = useCan();

  const update = useCallback(
    (changes: Record<string, string | null>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes))
            if (value === null || value === '') next.delete(key);
            else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const chooseCatalog = useCallback(
    (urn: string) => {
      setExpanded(new Set());
      update({ catalog: urn, ref: null });
    },
    [update],
  );

  const requirements = useMemo(() => catalog.data?.requirements ?? [], [catalog.data]);
  const parents = useMemo(() => parentsOf(requirements), [requirements]);
  const visible = useMemo(() => visibleRequirements(requirements, search, expanded), [requirements, search, expanded]);
  const summary = catalogs.data?.items.find((item) => item.urn === catalogUrn);

  const toggle = (key: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Control catalogs</Title>
        {can('controls:write') && (
          <Button variant="default" onClick={() => setImporting(true)}>
            Import catalog
          </Button>
        )}
      </Group>
      {importing && (
        <ImportCatalogModal
          onClose={() => setImporting(false)}
          onImported={(imported) => {
            setImporting(false);
            chooseCatalog(imported.urn);
          }}
        />
      )}
      <ErrorAlert error={catalogs.error ?? catalog.error} title="Could not load catalogs" />
      <Group align="flex-end">
        <CatalogSelect value={catalogUrn} onChange={chooseCatalog} />
        <TextInput
          label="Search requirements"
          placeholder="number, title or intent"
          value={search}
          onChange={(event) => update({ q: event.currentTarget.value })}
        />
        <Button variant="default" onClick={() => setExpanded(new Set(parents))}>
          Expand all
        </Button>
        <Button variant="default" onClick={() => setExpanded(new Set())}>
          Collapse all
        </Button>
      </Group>
      {summary && (
        <Text size="sm" c="dimmed" data-testid="catalog-summary">
          {summary.requirements} requirements, {summary.assessable} assessable · {summary.origin}
          {summary.source ? ` · ${summary.source}` : ''}
        </Text>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <ScrollArea h={640} type="auto">
            <Stack gap={2} role="tree" aria-label="Requirements">
              {visible.map((requirement) => (
                <Group
                  key={requirement.ref}
                  gap={4}
                  wrap="nowrap"
                  role="treeitem"
                  aria-selected={requirement.ref === ref}
                  pl={requirement.depth * 18}
                >
                  {parents.has(requirement.ref) && search === '' ? (
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      aria-label={`${expanded.has(requirement.ref) ? 'Collapse' : 'Expand'} ${requirement.ref}`}
                      onClick={() => toggle(requirement.ref)}
                    >
                      {expanded.has(requirement.ref) ? '−' : '+'}
                    </ActionIcon>
                  ) : (
                    <span style={{ width: 22, flex: 'none' }} />
                  )}
                  <UnstyledButton
                    onClick={() => update({ ref: requirement.ref })}
                    fw={requirement.ref === ref ? 700 : undefined}
                    aria-label={`Requirement ${requirement.ref}`}
                  >
                    <Text size="sm" span ff="monospace">
                      {requirement.ref}
                    </Text>{' '}
                    <Text size="sm" span c={requirement.assessable ? undefined : 'dimmed'}>
                      {requirement.title}
                    </Text>
                  </UnstyledButton>
                </Group>
              ))}
              {catalog.data && visible.length === 0 && <Text c="dimmed">No requirement matches.</Text>}
            </Stack>
          </ScrollArea>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          {catalogUrn !== null && ref !== null && (
            <RequirementPanel
              catalog={catalogUrn}
              requirementRef={ref}
              onOpen={(urn, target) => {
                setExpanded(new Set());
                update({ catalog: urn, ref: target, q: null });
              }}
            />
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function RequirementPanel({
  catalog,
  requirementRef,
  onOpen,
}: {
  catalog: string;
  requirementRef: string;
  onOpen: (catalog: string, ref: string) => void;
}) {
  const detail = useRequirement(catalog, requirementRef);
  const catalogs = useCatalogs();
  const nameOf = (urn: string) => catalogs.data?.items.find((item) => item.urn === urn)?.name ?? urn;
  const requirement = detail.data?.requirement;
  const related = detail.data?.related ?? [];
  return (
    <Card withBorder data-testid="requirement-detail">
      <ErrorAlert error={detail.error} title="Could not load the requirement" />
      {requirement && (
        <Stack>
          <Group justify="space-between">
            <Title order={3}>
              {requirement.ref} {requirement.title}
            </Title>
            {requirement.assessable ? <Badge>assessable</Badge> : <Badge color="gray">section</Badge>}
          </Group>
          {requirement.intent && <Text size="sm">{requirement.intent}</Text>}
          <Group gap="xs">
            <Text size="sm">Default responsibility:</Text>
            <PartyBadge party={requirement.responsibility} />
            <Text size="sm">Priority {requirement.priority}</Text>
          </Group>
          <Text size="xs" c="dimmed" ff="monospace">
            {requirement.urn}
          </Text>
          <Title order={4}>Mappings</Title>
          {related.length === 0 ? (
            <Text size="sm" c="dimmed">
              Not mapped to another catalog.
            </Text>
          ) : (
            <Table aria-label="Mappings">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Relationship</Table.Th>
                  <Table.Th>Catalog</Table.Th>
                  <Table.Th>Requirement</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {related.map((related) => (
                  <Table.Tr key={`${related.catalogUrn} ${related.ref} ${related.direction}`}>
                    <Table.Td>
                      {related.direction === 'forward'
                        ? `this ${related.relationship} it`
                        : `it ${related.relationship} this`}
                    </Table.Td>
                    <Table.Td>{nameOf(related.catalogUrn)}</Table.Td>
                    <Table.Td>
                      <Anchor component="button" type="button" onClick={() => onOpen(related.catalogUrn, related.ref)}>
                        {related.ref}
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </Card>
  );
}
