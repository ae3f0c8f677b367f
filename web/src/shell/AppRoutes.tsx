import { Navigate, Route, Routes } from 'react-router-dom';
import type { NavEntry } from '../nav.js';
import { NotFound } from './NotFound.js';

/** One route per page the caller may open; anything else, including pages of other roles, is not found. */
export function AppRoutes({ entries }: { entries: readonly NavEntry[] }) {
  const home = entries[0];
  return (
    <Routes>
      <Route index element={home ? <Navigate to={home.path} replace /> : <NotFound />} />
      {entries.map(({ path, page: Page }) => (
        <Route key={path} path={`${path}/*`} element={<Page />} />
      ))}
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
