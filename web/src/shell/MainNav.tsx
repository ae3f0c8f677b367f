import { NavLink } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import type { NavEntry } from '../nav.js';

interface Props {
  entries: readonly NavEntry[];
  onNavigate: () => void;
}

export function MainNav({ entries, onNavigate }: Props) {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Main">
      {entries.map((entry) => (
        <NavLink
          key={entry.path}
          component={Link}
          to={entry.path}
          label={entry.label}
          active={pathname === entry.path || pathname.startsWith(`${entry.path}/`)}
          onClick={onNavigate}
        />
      ))}
    </nav>
  );
}
