import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, openBrowserPage, signIn } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { startTestServer, type TestServer } from './support/server.js';

const STEP = { timeout: 60_000 };

browserSuite('access reviews UI', (engine: EngineName) => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const idOf = (token: string) => token.split('.')[1]!;

  it(
    'an officer reviews every token: revokes one with a reason, keeps the others, another officer decides their own',
    STEP,
    async () => {
      await page.goto('/access-reviews');
      await signIn(page, server.tokens['security-officer']);
      await page.getByText('No access review yet.').waitFor();
      await page.getByRole('button', { name: 'Start review' }).click();
      const detail = page.getByTestId('review-detail');
      await detail.getByText(/0 kept, 0 revoked, 8 undecided/).waitFor();

      const other = detail.getByTestId(`entry-${idOf(server.otherParticipantToken)}`);
      await other.getByRole('textbox').fill('contract ended');
      await other.getByRole('button', { name: 'Revoke' }).click();
      await other.locator('[data-decision="revoke"]').waitFor();
      assert.equal(
        (await server.request({ method: 'GET', url: '/api/v1/session', as: 'other-participant' })).statusCode,
        401,
      );

      const own = idOf(server.tokens['security-officer']);
      for (const token of Object.values(server.tokens)) {
        if (idOf(token) === own) continue;
        const row = detail.getByTestId(`entry-${idOf(token)}`);
        await row.getByRole('button', { name: 'Keep' }).click();
        await row.locator('[data-decision="keep"]').waitFor();
      }
      const mine = detail.getByTestId(`entry-${own}`);
      await mine.getByRole('button', { name: 'Keep' }).click();
      await mine.getByText('nobody reviews their own access').waitFor();
      assert.equal(await detail.getByRole('button', { name: 'Complete review' }).isDisabled(), true);

      await page.getByRole('button', { name: 'Log out' }).click();
      await signIn(page, server.tokens.admin);
      await page.getByRole('link', { name: 'Access reviews' }).click();
      await page
        .getByRole('row')
        .filter({ has: page.getByText('open', { exact: true }) })
        .click();
      await page.getByTestId(`entry-${own}`).getByRole('button', { name: 'Keep' }).click();
      await page
        .getByTestId('review-detail')
        .getByText(/7 kept, 1 revoked, 0 undecided/)
        .waitFor();
      await page.getByRole('button', { name: 'Complete review' }).click();
      // The header's 'Completed' column would match a case-insensitive text filter: look for the status badge.
      await page
        .getByRole('row')
        .filter({ has: page.getByText('completed', { exact: true }) })
        .waitFor();
      const reviews = (await server.request({ method: 'GET', url: '/api/v1/access-reviews', as: 'auditor' })).json();
      assert.equal(reviews.items[0].status, 'completed');
      assert.equal(reviews.items[0].completedBy, idOf(server.tokens.admin));
    },
  );

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});
