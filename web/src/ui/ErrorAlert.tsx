import { Alert } from '@mantine/core';

interface Props {
  error: Error | null;
  title?: string;
}

/** Shows why a request failed, in the server's own words (the problem's `detail`). */
export function ErrorAlert({ error, title = 'Request failed' }: Props) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={title}>
      {error.message}
    </Alert>
  );
}
