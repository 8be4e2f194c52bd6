// The whole exchange, by keyboard: an agency system publishes records through GraphQL; the citizen signs in,
// finds them under わたしの情報, opens the category and downloads it as CSV; the agency then reads the
// citizen's data for a stated task, and the read appears in やりとり履歴 with the task explained.

import { readFileSync } from 'node:fs';

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { tabTo } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
import { journeyCard, signInQuickly } from '../fixtures/sign-in';

const VACCINE = 'インフルエンザHAワクチン（e2e）';

async function pressEnterOn(page: Page, selector: string): Promise<void> {
  await tabTo(page, selector, 120);
  await page.keyboard.press('Enter');
}

test('an agency publishes, the citizen finds and downloads it, and sees the agency’s read explained', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const card = journeyCard('agency-journey');
  const agency = await agencyClient(request, '131016', card.key, 'e2e journey');

  const published = await graphql(
    request,
    agency,
    'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created updated rejected { index reason } } }',
    {
      r: [1, 2].map((dose) => ({
        citizen: agency.pseudonym,
        category: 'vaccinations',
        recordId: `E2E-VAC-${dose}`,
        updatedOn: `2026-10-0${dose}`,
        fields: { vaccinated_on: `2026-10-0${dose}`, vaccine: VACCINE, dose, place: '千代田区保健所' },
      })),
    },
  );
  expect(published.publishRecords).toEqual({ created: 2, updated: 0, rejected: [] });

  // The citizen, by keyboard: マイページ → わたしの情報 → 予防接種情報.
  await signInQuickly(page, card);
  await visit(page, '/my-page');
  await pressEnterOn(page, 'main a[href="/my-data"]');
  await expect(page.locator('h1')).toHaveText('わたしの情報');
  await expectNoAxeViolations(page);
  await pressEnterOn(page, 'main a[href="/my-data/vaccinations"]');
  await expect(page.locator('h1')).toContainText('予防接種情報');
  const table = page.locator('main table');
  await expect(table.locator('caption')).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText(VACCINE);
  await expect(table, 'each record names its source').toContainText('千代田区');
  await expectNoAxeViolations(page);

  // Download as CSV with Enter on the link.
  await tabTo(page, 'main a[href="/my-data/vaccinations.csv"]', 120);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const csv = readFileSync((await download.path()) as string, 'utf8');
  expect(csv.charCodeAt(0), 'a BOM, so spreadsheet software reads UTF-8').toBe(0xfeff);
  expect(csv).toContain(VACCINE);
  expect(csv.trim().split('\n')).toHaveLength(3);

  // The agency reads for a stated task…
  const read = await graphql(
    request,
    agency,
    'query($c: String!) { citizenRecords(citizen: $c, task: "vaccination", categories: ["vaccinations"]) { linkageId records { fields } } }',
    { c: agency.pseudonym },
  );
  expect(read.citizenRecords.records).toHaveLength(2);

  // …and the citizen sees it in やりとり履歴, with what the task is for.
  await visit(page, '/my-data');
  await pressEnterOn(page, 'main a[href="/history"]');
  await expect(page.locator('h1')).toHaveText('やりとり履歴');
  const first = page.locator('main').getByText('予防接種の実施に関する事務').first();
  await expect(first).toBeVisible();
  await expect(page.locator('main')).toContainText('千代田区');
  await expectNoAxeViolations(page);

  // Filter by category, by keyboard: the row stays, and the page passes axe with the filter applied.
  const select = page.locator('main select[name="category"]');
  await tabTo(page, 'main select[name="category"]', 120);
  // Arrow keys change a closed select's choice, as a keyboard user would.
  for (let i = 0; i < 20 && (await select.inputValue()) !== 'vaccinations'; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(select).toHaveValue('vaccinations');
  await tabTo(page, 'main form button', 40);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/category=vaccinations/);
  await expect(page.locator('main').getByText('予防接種の実施に関する事務').first()).toBeVisible();
  await expectNoAxeViolations(page);
});
