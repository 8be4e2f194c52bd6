// The agency staff console end to end, by keyboard with JavaScript off, axe on every page: a member of a
// ward's staff signs in with their password and the code from their authenticator app (a wrong code first),
// uploads a records CSV with one bad row (shown with its line and reason) and publishes the good rows,
// posts a notice to the ward's residents (an error first) and watches its delivery, processes a resident's
// child allowance claim to completion with a message, builds a payment batch and downloads its transfer
// file, and finds their actions in the audit log. (The resident's claim is filed beforehand, by mouse: it is
// not what this test is about.)

import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { pressEnterOn, tabTo, typeInto } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
import { agencyClient, graphql } from '../fixtures/agency';
import { journeyCard, signInQuickly } from '../fixtures/sign-in';
import { addStaff, totp } from '../fixtures/staff';

test.use({ javaScriptEnabled: false });

const NO_JS = { javaScriptEnabled: false };

async function check(page: Page): Promise<void> {
  await expect(page.locator('h1')).toHaveCount(1);
  await expectNoAxeViolations(page, NO_JS);
}

/** Presses the submit button of `form` and waits for the page that answers. */
async function submit(page: Page, form: string): Promise<void> {
  await tabTo(page, `${form} button[type="submit"]`, 150);
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

/** Types into a field reached by Tab, replacing what it held. */
async function replaceIn(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector, 150);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/**
 * The resident's claim, sent: the ward publishes their household and a bank registers their refund account;
 * they fill in and send the claim. Returns the ward's pseudonym for them and the receipt number.
 */
async function residentSendsClaim(browser: Browser, request: APIRequestContext): Promise<{ pseudonym: string; receipt: string }> {
  const card = journeyCard('staff-applicant');
  const ward = await agencyClient(request, '131016', card.key, 'e2e staff journey');
  await graphql(request, ward, 'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created } }', {
    r: [
      { relationship: '本人', member_name: card.name, birth_date: '1990-01-01', id: 'E2E-ST-1' },
      { relationship: '子', member_name: '佐々木 蒼', birth_date: '2022-02-02', id: 'E2E-ST-2' },
    ].map(({ id, ...fields }) => ({ citizen: ward.pseudonym, category: 'household', recordId: id, updatedOn: '2026-10-01', fields })),
  });
  const bank = await agencyClient(request, 'bank-0001', card.key, 'e2e staff journey bank');
  await graphql(
    request,
    bank,
    'mutation($c: String!, $a: PublicFundsAccountInput!) { registerPublicFundsAccount(citizen: $c, account: $a) { stored } }',
    { c: bank.pseudonym, a: { bankCode: '0001', branchCode: '001', accountType: 'ordinary', accountNumber: '1357913', holderName: card.kana } },
  );
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInQuickly(page, card);
  await visit(page, '/apply/child_allowance');
  const next = async () => {
    await page.locator('main form button[type="submit"]:not([name="action"])').last().click();
    await page.waitForLoadState('load');
  };
  await next();
  await expect(page).toHaveURL(/\/pages\/claimant$/);
  await next();
  await page.locator('input[name="children.0.lives_together"][value="yes"]').check();
  await next();
  await expect(page).toHaveURL(/\/pages\/payment$/);
  await page.locator('input[name="account.use"][value="registered"]').check();
  await page.locator('#f-declaration').check();
  await next();
  await expect(page).toHaveURL(/\/check$/);
  await next();
  await expect(page).toHaveURL(/\?sent=1$/);
  const receipt = ((await page.locator('main .panel__body strong').textContent()) ?? '').trim();
  await context.close();
  return { pseudonym: ward.pseudonym, receipt };
}

/** Chooses the radio `value` of the group `name` with the arrow keys (a radio group is one Tab stop). */
async function chooseRadio(page: Page, name: string, value: string): Promise<void> {
  await tabTo(page, `input[name="${name}"]`);
  const target = page.locator(`input[name="${name}"][value="${value}"]`);
  for (let i = 0; i < 8 && !(await target.isChecked()); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(target).toBeChecked();
}

test('a member of staff signs in with a password and a code, imports records, posts a notice, processes and pays a claim', async ({ page, browser, request }) => {
  test.setTimeout(240_000);
  const claim = await residentSendsClaim(browser, request);
  const account = addStaff('131016', '窓口 花子', ['notices', 'records', 'applications', 'payments'], 'journey');

  // Password first: a wrong one is refused with the same words as an unknown login.
  await visit(page, '/staff', 200);
  await expect(page).toHaveURL(/\/staff\/sign-in$/);
  await check(page);
  await typeInto(page, '#login', account.login);
  await typeInto(page, '#password', 'not my password');
  await submit(page, 'main form[action="/staff/sign-in"]');
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await expect(page.locator('main .error-summary')).toContainText('ログインIDまたはパスワードが違います');
  await expect(page.locator('#login'), 'the login is kept').toHaveValue(account.login);
  await check(page);
  await typeInto(page, '#password', account.password);
  await submit(page, 'main form[action="/staff/sign-in"]');
  await expect(page).toHaveURL(/\/staff\/sign-in\/code$/);
  await check(page);

  // Then the code: a wrong one, then the one the app shows now.
  const right = totp(account.secret);
  await typeInto(page, '#code', right === '000000' ? '111111' : '000000');
  await submit(page, 'main form[action="/staff/sign-in/code"]');
  await expect(page.locator('main .error-summary')).toContainText('確認コードが違うか');
  await check(page);
  await replaceIn(page, '#code', totp(account.secret));
  await submit(page, 'main form[action="/staff/sign-in/code"]');
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.locator('header')).toContainText('窓口 花子');
  await check(page);

  // Records from a CSV file: checked first, each bad row shown with its line and reason, then the good ones
  // published by a background job whose progress the page shows.
  await pressEnterOn(page, 'header a[href="/staff/records"]');
  await check(page);
  await chooseRadio(page, 'category', 'income_tax');
  const csv = [
    'citizen,record_id,fiscal_year,total_income,taxable_income,resident_tax,updated_on',
    `${claim.pseudonym},E2E-TAX-2025,2025,4200000,2800000,245000,2026-06-01`,
    `${claim.pseudonym},E2E-TAX-BAD,2025,-5,0,0,2026-06-01`,
    `${claim.pseudonym},E2E-TAX-2024,2024,3900000,2500000,210000,2026-06-01`,
  ].join('\r\n');
  // The file dialog is the operating system's: the chosen file is set on the focused input.
  await tabTo(page, '#file');
  await page.locator('#file').setInputFiles({ name: '所得.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\r\n`) });
  await submit(page, 'main form[action="/staff/records"]');
  await expect(page).toHaveURL(/\/staff\/jobs\/[0-9a-f-]+$/);
  await expect(page.locator('main')).toContainText('登録できる行: 2行');
  await expect(page.locator('main')).toContainText('誤りのある行: 1行');
  const badRow = page.locator('main tr', { has: page.locator('th', { hasText: /^3$/ }) });
  await expect(badRow).toContainText('total_income');
  await check(page);
  await submit(page, 'main form[action$="/start"]');
  // Without JavaScript the page refreshes itself while the job runs.
  await expect(page.locator('main')).toContainText('登録が完了しました', { timeout: 30_000 });
  await expect(page.locator('main')).toContainText('新しく登録: 2件');
  await check(page);

  // A notice to the ward's residents: the form first refuses what is missing, keeping what was typed.
  await pressEnterOn(page, 'header a[href="/staff/notices"]');
  await check(page);
  await pressEnterOn(page, 'main a[href="/staff/notices/new"]');
  await check(page);
  const title = `粗大ごみの収集日が変わります ${Date.now()}`;
  await typeInto(page, '#title', title);
  await submit(page, 'main form[action="/staff/notices/new"]');
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await expect(page.locator('main .error-summary a[href="#body"]')).toBeVisible();
  await expect(page.locator('main .error-summary a[href="#category"]')).toBeVisible();
  await expect(page.locator('#title')).toHaveValue(title);
  await check(page);
  await typeInto(page, '#body', '来月から、粗大ごみの収集日は毎月第2水曜日になります。');
  // A radio group is one Tab stop; the arrow keys choose within it.
  await chooseRadio(page, 'category', 'other');
  await submit(page, 'main form[action="/staff/notices/new"]');
  await expect(page).toHaveURL(/\/staff\/notices\/[0-9a-f-]+\?done=posted$/);
  await expect(page.locator('main .notification-banner')).toContainText('お知らせを送りました');
  await expect(page.locator('main progress')).toHaveCount(1);
  await check(page);
  // Without JavaScript, reloading shows where the delivery is now; it finishes.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('main')).toContainText(/配信が完了しました|未読の人には/, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await check(page);

  // The resident's claim: found in the queue, moved on to completed with a message.
  await pressEnterOn(page, 'header a[href="/staff/applications"]');
  await check(page);
  const href = await page.locator('main a', { hasText: claim.receipt }).getAttribute('href');
  await tabTo(page, `main a[href="${href}"]`, 200);
  await Promise.all([page.waitForURL(/\/staff\/applications\/[0-9a-f-]+$/), page.keyboard.press('Enter')]);
  await expect(page.locator('main')).toContainText(claim.pseudonym);
  await check(page);
  for (const [status, message] of [
    ['received', ''],
    ['reviewing', ''],
    ['completed', '認定しました。来月から支給します。'],
  ]) {
    await chooseRadio(page, 'status', status);
    if (message) await typeInto(page, '#status-message', message);
    await submit(page, 'main form[action$="/status"]');
    await expect(page).toHaveURL(/\?done=status$/);
    await check(page);
  }
  await expect(page.locator('main')).toContainText('認定しました。来月から支給します。');

  // A payment batch for the resident, and its transfer file.
  await pressEnterOn(page, 'header a[href="/staff/payments"]');
  await check(page);
  await typeInto(page, '#requester-code', '1310160001');
  await typeInto(page, '#requester-name', 'チヨダク');
  await typeInto(page, '#bank-code', '0001');
  await typeInto(page, '#branch-code', '001');
  await typeInto(page, '#account-number', '7654321');
  const day = new Date(Date.now() + 9 * 3_600_000 + 7 * 86_400_000);
  await typeInto(page, '#transfer-date', String(day.getUTCFullYear()));
  await typeInto(page, '#transfer-date-month', String(day.getUTCMonth() + 1));
  await typeInto(page, '#transfer-date-day', String(day.getUTCDate()));
  await typeInto(page, '#payments', `${claim.pseudonym},15000`);
  await submit(page, 'main form[action="/staff/payments"]');
  await expect(page).toHaveURL(/\/staff\/payments\/batches\//);
  await expect(page.locator('main')).toContainText('1件');
  await check(page);
  const link = 'main a[href$="/file"]';
  await tabTo(page, link);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const file = await download.path();
  expect(file, 'the transfer file was saved').toBeTruthy();
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(file as string);
  // A Zengin 総合振込 file: a header record (1), one data record (2), the trailer (8) and the end (9).
  expect(bytes[0]).toBe('1'.charCodeAt(0));
  expect(bytes.includes(Buffer.from('15000'))).toBe(true);

  // The audit log has the sign-in and the notice.
  await pressEnterOn(page, 'header a[href="/staff/audit"]');
  await expect(page.locator('main table')).toContainText('ログイン');
  await expect(page.locator('main table')).toContainText('お知らせを送信');
  await expect(page.locator('main table')).toContainText('申請の状況の変更');
  await expect(page.locator('main table')).toContainText('振込ファイルのダウンロード');
  await expect(page.locator('main table')).toContainText(/登録/);
  await check(page);
});
