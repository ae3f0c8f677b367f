import { Center, Loader } from '@mantine/core';
import { ErrorAlert } from './ui/ErrorAlert.js';
import { LoginPage } from './session/LoginPage.js';
import { useSession } from './session/queries.js';
import { Layout } from './shell/Layout.js';

/** Shows the login page until there is a session, then the application. */
export function App() {
  const session = useSession();
  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center h="100vh" p="md">
        <ErrorAlert error={session.error} title="Trustloop is unreachable" />
      </Center>
    );
  }
  return session.data ? <Layout session={session.data} /> : <LoginPage />;
}
