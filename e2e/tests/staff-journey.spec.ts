// The agency staff console end to end, by keyboard with JavaScript off, axe on every page: a member of a
// ward's staff signs in with their password and the code from their authenticator app (a wrong code first),
// posts a notice to the ward's residents (an error first) and watches its delivery, withdraws nothing, and
// finds their actions in the audit log.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { pressEnterOn, tabTo, typeInto } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
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

test('a member of staff signs in with a password and a code, and posts a notice', async ({ page }) => {
  test.setTimeout(180_000);
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
  await tabTo(page, 'input[name="category"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="category"][value="other"]')).toBeChecked();
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

  // The audit log has the sign-in and the notice.
  await pressEnterOn(page, 'header a[href="/staff/audit"]');
  await expect(page.locator('main table')).toContainText('ログイン');
  await expect(page.locator('main table')).toContainText('お知らせを送信');
  await check(page);
});
