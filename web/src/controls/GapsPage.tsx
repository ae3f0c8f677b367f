import { Anchor, Card, Group, NativeSelect, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { Link, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { percent, ResultBadge } from './badges.js';
import { useAssessments, useCatalog, useCatalogs, useGapReport, useHeatMap } from './queries.js';
import { SummaryBar } from './SummaryBar.js';
import type { GapReport, HeatCell } from './types.js';

/** Red below 50 % compliant, amber below 80 %, green from there. */
const heatColor = (compliance: number): string =>
  compliance >= 80
    ? 'var(--mantine-color-green-2)'
    : compliance >= 50
      ? 'var(--mantine-color-yellow-2)'
      : 'var(--mantine-color-red-2)';

/** The scheme at a glance (participant × catalog), then one assessment's coverage, ranked gaps and trend. */
export function GapsPage() {
  const [params, setParams] = useSearchParams();
  const assessmentId = params.get('assessment');
  const heatMap = useHeatMap();
  const assessments = useAssessments();
  const report = useGapReport(assessmentId);
  const choose = (id: string | null) => setParams(id === null ? {} : { assessment: id }, { replace: true });

  return (
    <Stack>
      <Title order={2}>Compliance gaps</Title>
      <ErrorAlert error={heatMap.error ?? assessments.error} title="Could not load the heat map" />
      <Card withBorder>
        <Title order={4} mb="sm">
          Participant × catalog
        </Title>
        {heatMap.data && <HeatMapTable cells={heatMap.data.items} onOpen={choose} />}
      </Card>
      <NativeSelect
        label="Assessment"
        value={assessmentId ?? ''}
        onChange={(event) => choose(event.currentTarget.value || null)}
        data={[
          { value: '', label: 'Choose an assessment' },
          ...(assessments.data?.items ?? []).map((assessment) => ({
            value: assessment.id,
            label: `${assessment.title} (${assessment.participantId}, ${assessment.status})`,
          })),
        ]}
      />
      <ErrorAlert error={report.error} title="Could not load the gap report" />
      {report.data && <GapReportView report={report.data} />}
    </Stack>
  );
}

function HeatMapTable({ cells, onOpen }: { cells: readonly HeatCell[]; onOpen: (id: string) => void }) {
  const catalogs = useCatalogs();
  const catalogUrns = [...new Set(cells.map((cell) => cell.catalogUrn))].sort();
  const participants = [...new Set(cells.map((cell) => cell.participantId))].sort();
  const nameOf = (urn: string) => catalogs.data?.items.find((item) => item.urn === urn)?.name ?? urn;
  if (cells.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No assessment yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={500}>
      <Table withColumnBorders aria-label="Heat map" data-testid="heat-map">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Participant</Table.Th>
            {catalogUrns.map((urn) => (
              <Table.Th key={urn}>{nameOf(urn)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {participants.map((participantId) => (
            <Table.Tr key={participantId}>
              <Table.Td>{participantId}</Table.Td>
              {catalogUrns.map((urn) => {
                const cell = cells.find((item) => item.participantId === participantId && item.catalogUrn === urn);
                return (
                  <Table.Td
                    key={urn}
                    style={cell ? { background: heatColor(cell.compliance) } : undefined}
                    data-testid={cell ? `heat-${participantId}-${urn}` : undefined}
                  >
                    {cell ? (
                      <UnstyledButton
                        onClick={() => onOpen(cell.assessmentId)}
                        aria-label={`Open ${participantId} ${nameOf(urn)}`}
                      >
                        <Text size="sm">
                          {percent(cell.compliance)} compliant · {percent(cell.coverage)} covered · {cell.nonCompliant}{' '}
                          non-compliant
                        </Text>
                      </UnstyledButton>
                    ) : (
                      <Text size="sm" c="dimmed">
                        -
                      </Text>
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function GapReportView({ report }: { report: GapReport }) {
  const catalog = useCatalog(report.assessment.catalogUrn);
  const title = (ref: string) => catalog.data?.requirements.find((requirement) => requirement.ref === ref)?.title;
  return (
    <Stack data-testid="gap-report">
      <Group justify="space-between">
        <Title order={3}>{report.assessment.title}</Title>
        <Group>
          <Anchor component={Link} to={`/controls/assessments/${report.assessment.id}`}>
            Open assessment
          </Anchor>
          <Anchor href={`/api/v1/controls/assessments/${report.assessment.id}/gaps/csv`} download>
            Export CSV
          </Anchor>
          <Anchor href={`/api/v1/controls/assessments/${report.assessment.id}/gaps/pdf`} download>
            Export PDF
          </Anchor>
        </Group>
      </Group>
      <SummaryBar summary={report.summary} />
      {report.trend.length > 0 && <Trend trend={report.trend} />}
      <Title order={4}>Ranked gaps ({report.gaps.length})</Title>
      <Table.ScrollContainer minWidth={800}>
        <Table striped aria-label="Ranked gaps" data-testid="gaps">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Requirement</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Assessor</Table.Th>
              <Table.Th>Due</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.gaps.slice(0, 200).map((gap, index) => (
              <Table.Tr key={gap.ref}>
                <Table.Td>{index + 1}</Table.Td>
                <Table.Td>
                  <Text size="sm" span ff="monospace">
                    {gap.ref}
                  </Text>{' '}
                  <Text size="sm" span>
                    {title(gap.ref)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ResultBadge result={gap.result} />
                </Table.Td>
                <Table.Td>{gap.priority}</Table.Td>
                <Table.Td>{gap.party}</Table.Td>
                <Table.Td>{gap.assessor ?? '-'}</Table.Td>
                <Table.Td>{gap.dueDate ?? '-'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {report.gaps.length > 200 && (
        <Text size="sm" c="dimmed">
          The first 200 of {report.gaps.length} gaps; the CSV export has them all.
        </Text>
      )}
    </Stack>
  );
}

const BAR_WIDTH = 36;
const BAR_HEIGHT = 120;

/** Compliance and coverage at each sign-off, as paired SVG bars. */
function Trend({ trend }: { trend: GapReport['trend'] }) {
  const width = trend.length * (BAR_WIDTH * 2 + 24);
  return (
    <Stack gap={4}>
      <Title order={4}>Trend between snapshots</Title>
      <svg
        width={width}
        height={BAR_HEIGHT + 20}
        role="img"
        aria-label="Compliance and coverage by snapshot"
        data-testid="trend"
      >
        {trend.map((point, index) => {
          const x = index * (BAR_WIDTH * 2 + 24);
          const compliance = (point.compliance / 100) * BAR_HEIGHT;
          const coverage = (point.coverage / 100) * BAR_HEIGHT;
          return (
            <g key={point.version}>
              <rect
                x={x}
                y={BAR_HEIGHT - coverage}
                width={BAR_WIDTH}
                height={coverage}
                fill="var(--mantine-color-blue-4)"
              >
                <title>{`v${point.version} coverage ${point.coverage}%`}</title>
              </rect>
              <rect
                x={x + BAR_WIDTH}
                y={BAR_HEIGHT - compliance}
                width={BAR_WIDTH}
                height={compliance}
                fill="var(--mantine-color-green-5)"
              >
                <title>{`v${point.version} compliance ${point.compliance}%`}</title>
              </rect>
              <text x={x + BAR_WIDTH} y={BAR_HEIGHT + 15} textAnchor="middle" fontSize={12}>
                v{point.version}
              </text>
            </g>
          );
        })}
      </svg>
      <Text size="xs" c="dimmed">
        Blue: coverage; green: compliance.
      </Text>
    </Stack>
  );
}
