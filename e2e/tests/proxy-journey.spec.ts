// 代理人 end to end, by keyboard with JavaScript off: a parent names her son as her proxy and gets a one-time
// code; he signs in with his own card, enters the code and confirms; he acts for her (a banner on every
// page), reads her data and files a child allowance claim that the ward sees with both names; what stays
// hers is refused to him; she sees his reads in やりとり履歴 and ends it, and he can no longer act for her.
// Every page and error state passes axe.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { pressEnterOn, tabTo, typeInto } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
import { journeyCard, signInQuickly } from '../fixtures/sign-in';

test.use({ javaScriptEnabled: false });

const NO_JS = { javaScriptEnabled: false };
const CHILD = '森 陽太';

async function check(page: Page): Promise<void> {
  await expect(page.locator('h1')).toHaveCount(1);
  await expectNoAxeViolations(page, NO_JS);
}

/** Presses the submit button of `form` and waits for the page that answers. */
async function submit(page: Page, form: string): Promise<void> {
  await tabTo(page, `${form} button[type="submit"]:not([name="action"])`, 150);
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

function inDays(days: number): Date {
  // Japan's date, whatever the machine's time zone.
  return new Date(Date.now() + 9 * 3_600_000 + days * 86_400_000);
}

test('a parent appoints a proxy who applies for her until she ends it', async ({ page, browser, request }) => {
  test.setTimeout(180_000);
  const parent = journeyCard('proxy-parent');
  const son = journeyCard('proxy-son');

  // The ward holds the parent's household: the claim will be prefilled from it.
  const ward = await agencyClient(request, '131016', parent.key, 'e2e proxy journey');
  await graphql(
    request,
    ward,
    'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created } }',
    {
      r: [
        { relationship: '本人', member_name: parent.name, birth_date: '1990-01-01', id: 'E2E-PX-1' },
        { relationship: '子', member_name: CHILD, birth_date: '2021-06-01', id: 'E2E-PX-2' },
      ].map(({ id, ...fields }) => ({
        citizen: ward.pseudonym,
        category: 'household',
        recordId: id,
        updatedOn: '2026-10-01',
        fields,
      })),
    },
  );

  // The parent names a proxy from マイページ: first with nothing chosen, then act until a month ahead.
  await signInQuickly(page, parent);
  await visit(page, '/my-page');
  await pressEnterOn(page, 'main a[href="/settings/proxies"]');
  await check(page);
  await pressEnterOn(page, 'main a[href="/settings/proxies/new"]');
  await check(page);
  await submit(page, 'main form[action="/settings/proxies/new"]');
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await expect(page.locator('main .error-summary a[href="#scope"]')).toBeVisible();
  await expect(page.locator('main .error-summary a[href="#ends_on"]')).toBeVisible();
  await check(page);
  // A radio group is one Tab stop; the arrow keys choose within it.
  await tabTo(page, 'input[name="scope"]');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="scope"][value="act"]')).toBeChecked();
  const last = inDays(30);
  await typeInto(page, '#ends_on', String(last.getUTCFullYear()));
  await typeInto(page, '#ends_on-month', String(last.getUTCMonth() + 1));
  await typeInto(page, '#ends_on-day', String(last.getUTCDate()));
  await submit(page, 'main form[action="/settings/proxies/new"]');
  const code = ((await page.locator('main .proxy-code').textContent()) ?? '').trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await check(page);

  // The son, in his own browser, signs in with his own card and accepts with the code.
  const sons = await browser.newContext({ javaScriptEnabled: false });
  const sonPage = await sons.newPage();
  await signInQuickly(sonPage, son);
  await visit(sonPage, '/settings/proxies');
  await pressEnterOn(sonPage, 'main a[href="/settings/proxies/accept"]');
  await check(sonPage);
  await typeInto(sonPage, '#code', 'AAAA-BBBB-CCCC');
  await submit(sonPage, 'main form[action="/settings/proxies/accept"]');
  await expect(sonPage.locator('main .error-summary')).toContainText('招待コードが違う');
  await expect(sonPage.locator('#code'), 'what was typed is kept').toHaveValue('AAAA-BBBB-CCCC');
  await check(sonPage);
  await tabTo(sonPage, '#code');
  await sonPage.keyboard.press('Control+A');
  await sonPage.keyboard.type(code.toLowerCase());
  await submit(sonPage, 'main form[action="/settings/proxies/accept"]');
  await expect(sonPage.locator('h1')).toContainText(parent.name);
  await check(sonPage);
  await submit(sonPage, 'main form[action="/settings/proxies/accept/confirm"]');
  await expect(sonPage.locator('main .notification-banner')).toContainText(`${parent.name} さんの代理人になりました`);
  await check(sonPage);

  // He acts for her: every page says so.
  await tabTo(sonPage, 'main form[action$="/act"] button');
  await Promise.all([sonPage.waitForURL((u) => u.pathname === '/my-page'), sonPage.keyboard.press('Enter')]);
  const banner = sonPage.locator('.acting-banner');
  await expect(banner).toContainText(`${parent.name} さんの代理人として操作しています`);
  await check(sonPage);
  await pressEnterOn(sonPage, 'header a[href="/my-data"]');
  await expect(banner).toBeVisible();
  await visit(sonPage, '/my-data/household');
  await expect(sonPage.locator('main')).toContainText(CHILD);
  await expect(banner).toBeVisible();
  await check(sonPage);

  // What stays hers is refused, saying why, with the way back.
  await visit(sonPage, '/account', 403);
  await expect(sonPage.locator('h1')).toHaveText('代理人はこの操作をできません');
  await expect(sonPage.locator('main form[action="/settings/proxies/stop"]')).toHaveCount(1);
  await check(sonPage);

  // He files the claim for her.
  await visit(sonPage, '/apply/child_allowance');
  await submit(sonPage, 'main form[action="/apply/child_allowance"]');
  await expect(sonPage).toHaveURL(/\/pages\/claimant$/);
  await expect(sonPage.locator('main')).toContainText(parent.name);
  await check(sonPage);
  await submit(sonPage, 'main form');
  await expect(sonPage.locator('#f-children-0-child_name')).toHaveValue(CHILD);
  await tabTo(sonPage, 'input[name="children.0.lives_together"][value="yes"]');
  await sonPage.keyboard.press('Space');
  await submit(sonPage, 'main form');
  await expect(sonPage).toHaveURL(/\/pages\/payment$/);
  await typeInto(sonPage, '#f-account-bank_code', '0001');
  await typeInto(sonPage, '#f-account-branch_code', '001');
  await typeInto(sonPage, '#f-account-number', '7654321');
  await typeInto(sonPage, '#f-account-holder_kana', 'モリ ケイコ');
  await tabTo(sonPage, '#f-account-account_type');
  await sonPage.keyboard.press('ArrowDown');
  await tabTo(sonPage, '#f-declaration');
  await sonPage.keyboard.press('Space');
  await submit(sonPage, 'main form');
  await expect(sonPage).toHaveURL(/\/check$/);
  await check(sonPage);
  await submit(sonPage, 'main form[action$="/check"]');
  await expect(sonPage).toHaveURL(/\?sent=1$/);
  const receipt = ((await sonPage.locator('main .panel__body strong').textContent()) ?? '').trim();
  expect(receipt).toMatch(/^AP-\d{8}-[0-9A-Z]{6}$/);
  await check(sonPage);

  // The ward sees both people: the citizen it is for, and the proxy who sent it.
  const listed = (await graphql(
    request,
    ward,
    '{ applications(form: "child_allowance") { receiptNumber citizen actedBy { citizen name } } }',
    {},
  )) as { applications: { receiptNumber: string; citizen: string; actedBy: { citizen: string; name: string } | null }[] };
  const sent = listed.applications.find((a) => a.receiptNumber === receipt);
  expect(sent?.citizen).toBe(ward.pseudonym);
  expect(sent?.actedBy?.name).toBe(son.name);
  expect(sent?.actedBy?.citizen).not.toBe(ward.pseudonym);

  // The parent sees his reads in her やりとり履歴, and the claim among her applications.
  await expect(async () => {
    await visit(page, '/history');
    await expect(page.locator('main')).toContainText(son.name, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.locator('main')).toContainText('代理人による閲覧');
  await check(page);
  await visit(page, '/applications');
  await expect(page.locator('main')).toContainText(receipt);

  // She ends it; his next page says he no longer acts for her, and he cannot act for her again.
  await visit(page, '/settings/proxies');
  await tabTo(page, 'main form[action$="/end"] button');
  await Promise.all([page.waitForURL(/done=ended/), page.keyboard.press('Enter')]);
  await expect(page.locator('main .notification-banner')).toContainText(`${son.name} さんの代理を終了しました`);
  await check(page);
  await visit(sonPage, '/my-page', 403);
  await expect(sonPage.locator('h1')).toHaveText(`${parent.name} さんの代理人ではなくなりました`);
  await check(sonPage);
  await visit(sonPage, '/settings/proxies');
  await expect(sonPage.locator('.acting-banner')).toHaveCount(0);
  await expect(sonPage.locator('main form[action$="/act"]')).toHaveCount(0);
  await check(sonPage);
  await sons.close();
});
