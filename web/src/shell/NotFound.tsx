import { Stack, Text, Title } from '@mantine/core';

export function NotFound() {
  return (
    <Stack gap="xs">
      <Title order={2}>Nothing here</Title>
      <Text c="dimmed">This page does not exist, or your role does not give access to it.</Text>
    </Stack>
  );
}
