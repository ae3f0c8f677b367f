import type { ComponentType } from 'react';
import { AuditPage } from './audit/AuditPage.js';
import { AssessmentsPage } from './controls/AssessmentsPage.js';
import { CatalogsPage } from './controls/CatalogsPage.js';
import { GapsPage } from './controls/GapsPage.js';
import { ResponsibilityPage } from './controls/ResponsibilityPage.js';
import { KeysPage } from './keys/KeysPage.js';
import { ParticipantsPage } from './participants/ParticipantsPage.js';
import { CasPage } from './pki/CasPage.js';
import { CertificatesPage } from './pki/CertificatesPage.js';
import { DomainsPage } from './pki/DomainsPage.js';
import { EnrolmentsPage } from './pki/EnrolmentsPage.js';
import { ExpiryWatchPage } from './pki/ExpiryWatchPage.js';
import { NotificationsPage } from './notifications/NotificationsPage.js';
import { WebhooksPage } from './notifications/WebhooksPage.js';
import { AccessReviewsPage } from './reviews/AccessReviewsPage.js';

export interface NavEntry {
  /** The page's URL; paths below it belong to the page too. */
  path: string;
  label: string;
  /** What the caller must hold to see the entry and open the page. */
  permission: string;
  page: ComponentType;
}

/**
 * Every page of the UI, in menu order. A domain adds its page by appending one entry here; the
 * navigation and the routes are both built from this list.
 */
export const NAV_ENTRIES: readonly NavEntry[] = [
  { path: '/participants', label: 'Participants', permission: 'participants:read', page: ParticipantsPage },
  { path: '/audit', label: 'Audit trail', permission: 'audit:read', page: AuditPage },
  { path: '/keys', label: 'Keys', permission: 'keys:read', page: KeysPage },
  { path: '/controls/catalogs', label: 'Control catalogs', permission: 'controls:read', page: CatalogsPage },
  {
    path: '/controls/responsibility',
    label: 'Responsibility matrix',
    permission: 'controls:read',
    page: ResponsibilityPage,
  },
  { path: '/controls/assessments', label: 'Assessments', permission: 'controls:read', page: AssessmentsPage },
  { path: '/controls/gaps', label: 'Compliance gaps', permission: 'controls:read', page: GapsPage },
  // Not under /pki/: the server keeps that prefix for the public CRL, CA-certificate and OCSP URLs.
  { path: '/certificates/authorities', label: 'Certificate authorities', permission: 'pki:read', page: CasPage },
  { path: '/certificates/enrolments', label: 'Enrolment queue', permission: 'pki:read', page: EnrolmentsPage },
  { path: '/certificates/issued', label: 'Certificates', permission: 'pki:read', page: CertificatesPage },
  { path: '/certificates/expiring', label: 'Expiry watch', permission: 'pki:read', page: ExpiryWatchPage },
  { path: '/certificates/domains', label: 'Participant domains', permission: 'pki:read', page: DomainsPage },
  { path: '/notifications', label: 'Notifications', permission: 'notifications:read', page: NotificationsPage },
  { path: '/webhooks', label: 'Webhooks', permission: 'notifications:read', page: WebhooksPage },
  { path: '/access-reviews', label: 'Access reviews', permission: 'access-reviews:read', page: AccessReviewsPage },
];

export const entriesFor = (permissions: readonly string[]): NavEntry[] =>
  NAV_ENTRIES.filter((entry) => permissions.includes(entry.permission));
