import { AppShell, Burger, Group, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Whoami } from '../api/types.js';
import { entriesFor } from '../nav.js';
import { AppRoutes } from './AppRoutes.js';
import { MainNav } from './MainNav.js';
import { UserBadge } from './UserBadge.js';

/** The signed-in frame: header with the user, navigation limited to what the role may open, the page. */
export function Layout({ session }: { session: Whoami }) {
  const [navOpened, nav] = useDisclosure(false);
  const entries = entriesFor(session.permissions);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpened} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={3}>Trustloop</Title>
          </Group>
          <UserBadge session={session} />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <MainNav entries={entries} onNavigate={nav.close} />
      </AppShell.Navbar>
      <AppShell.Main>
        <AppRoutes entries={entries} />
      </AppShell.Main>
    </AppShell>
  );
}
