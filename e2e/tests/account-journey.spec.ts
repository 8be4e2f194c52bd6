// 公金受取口座 end to end, by keyboard alone, with JavaScript on and off: the citizen finds the bank and the
// branch by name, gets each wrong field explained and keeps what was typed, checks the answers and
// registers; changes the account, where the card is asked for again (a family member's card is refused);
// sees the history and the alert mail the SMTP server received; and deletes the account, with the card
// again. axe checks every page and every error state on the way.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { pressEnterOn, tabTo, typeInto } from '../fixtures/keyboard';
import { waitForMail } from '../fixtures/mail';
import { visit } from '../fixtures/pages';
import { TEST_PIN, answerWithCard, issueCard, readCode, signInQuickly, workerCard, type TestCard } from '../fixtures/sign-in';

const SIX_DIGITS = /(?<!\d)(\d{6})(?!\d)/;

/** axe on the page as it is now, with the test's JavaScript setting. */
type Axe = () => Promise<void>;

/** Presses Enter where focus is, and waits for the response to the form it sends. */
async function enterAndWait(page: Page, method: 'GET' | 'POST', path: string, status: number): Promise<void> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === method && new URL(r.url()).pathname === path && r.request().resourceType() === 'document',
  );
  // The new document's load event (the old page is loaded already, so waitForLoadState would not wait).
  const loaded = page.waitForEvent('load');
  await page.keyboard.press('Enter');
  expect((await answered).status(), `${method} ${path}`).toBe(status);
  await loaded;
}

/** Registers and confirms an alert address the quick way (the e-mail journey itself is tested elsewhere). */
async function registerAddress(page: Page, address: string): Promise<void> {
  await visit(page, '/settings/email/address');
  await page.locator('#email').fill(address);
  await page.locator('main form[action="/settings/email/address"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/settings\/email\/confirm$/);
  const mail = await waitForMail(address, (m) => SIX_DIGITS.test(m.text), 30_000);
  await page.locator('#code').fill(mail.text.match(SIX_DIGITS)?.[1] ?? '');
  await page.locator('main form[action="/settings/email/confirm"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/settings\/email\/categories/);
}

/** Finds the bank and the branch by name, by keyboard, and lands on the details form with both codes. */
async function findBankAndBranch(page: Page, axe: Axe, bank: string, branch: string, branchHref: string): Promise<void> {
  await typeInto(page, '#q', bank);
  await enterAndWait(page, 'GET', '/account/bank', 200);
  await axe();
  await pressEnterOn(page, 'main a[href="/account/branch?bank=0001"]');
  await axe();
  await typeInto(page, '#q', branch);
  await enterAndWait(page, 'GET', '/account/branch', 200);
  await axe();
  await pressEnterOn(page, `main a[href="${branchHref}"]`);
  await expect(page.locator('#bank_code')).toHaveValue('0001');
  await axe();
}

/**
 * The card confirmation page: a family member's card is refused (an error state, checked by axe), then the
 * citizen's own card goes through. With JavaScript the page notices the card's answer by itself; without,
 * the citizen selects "continue".
 */
async function confirmWithCard(page: Page, axe: Axe, card: TestCard, javaScript: boolean, done: string): Promise<void> {
  await axe();
  // With JavaScript the page collects the card's answer by itself; without, the citizen selects "continue".
  const answerAndCollect = async (with_: TestCard) => {
    const code = await readCode(page);
    const loaded = page.waitForEvent('load', { timeout: 20_000 });
    answerWithCard(code, with_);
    if (!javaScript) {
      await tabTo(page, '#confirm-continue', 150);
      await page.keyboard.press('Enter');
    }
    await loaded;
  };
  await answerAndCollect(workerCard());
  await expect(page).toHaveURL(/\/account\/confirm\/(change|delete)$/);
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await expect(page.locator('.error-summary')).toContainText('別の方のカード');
  await axe();
  await answerAndCollect(card);
  await expect(page).toHaveURL(new RegExp(`/account\\?done=${done}$`));
}

for (const javaScript of [true, false]) {
  test.describe(`JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled: javaScript });

    test('register, change and delete the refund account by keyboard, the card asked again', async ({ page }) => {
      // About 20 axe runs (slower without JavaScript) and three card answers: minutes on a busy 2-core machine.
      test.setTimeout(360_000);
      const axe: Axe = () => expectNoAxeViolations(page, { javaScriptEnabled: javaScript });
      const card: TestCard = {
        key: `account-${javaScript ? 'js' : 'nojs'}-${process.pid}-${Date.now()}`,
        name: 'デジタル 花子',
        kana: 'デジタル ハナコ',
        pin: TEST_PIN,
      };
      issueCard(card);
      await signInQuickly(page, card);
      const address = `account-${javaScript ? 'js' : 'nojs'}-${Date.now()}@example.jp`;
      await registerAddress(page, address);

      // マイページ → 公金受取口座 → register.
      await visit(page, '/my-page');
      await pressEnterOn(page, 'main a[href="/account"]');
      await expect(page.locator('h1')).toHaveText('公金受取口座');
      await axe();
      await pressEnterOn(page, 'main a[href="/account/bank"]');
      await axe();

      // Searching with nothing typed is an error state of its own.
      await tabTo(page, '#q', 150);
      await enterAndWait(page, 'GET', '/account/bank', 422);
      await expect(page).toHaveTitle(/^エラー[:：]/);
      await axe();
      await findBankAndBranch(page, axe, 'みずほ', 'とうきょう', '/account/details?bank=0001&branch=001');

      // A 6-digit number is refused next to its field, and everything typed stays.
      await tabTo(page, '#account_type', 150);
      await page.keyboard.press('Space');
      await typeInto(page, '#account_number', '123456');
      await typeInto(page, '#holder_name', 'でじたる はなこ');
      await enterAndWait(page, 'POST', '/account/details', 422);
      await expect(page).toHaveTitle(/^エラー[:：]/);
      await expect(page.locator('#account_number-error')).toContainText('口座番号は7桁です（入力は6桁）');
      await expect(page.locator('#account_number')).toHaveValue('123456');
      await expect(page.locator('#holder_name')).toHaveValue('でじたる はなこ');
      await expect(page.locator('#account_type')).toBeChecked();
      await axe();
      await tabTo(page, '#account_number', 150);
      await page.keyboard.press('End');
      await page.keyboard.type('7');
      await enterAndWait(page, 'POST', '/account/details', 303);
      await expect(page).toHaveURL(/\/account\/check$/);
      await expect(page.locator('main')).toContainText('1234567');
      await axe();
      await tabTo(page, 'main form[action="/account/check"] button[type="submit"]', 150);
      await enterAndWait(page, 'POST', '/account/check', 303);
      await expect(page).toHaveURL(/\/account\?done=registered$/);
      await expect(page.locator('main')).toContainText('****567');
      await expect(page.locator('main')).not.toContainText('1234567');
      await axe();

      // Change: another branch and number; the card is asked for again.
      await pressEnterOn(page, 'main a[href="/account/bank"]');
      // 新宿 (240): the exact reading comes first among the 新宿… branches.
      await findBankAndBranch(page, axe, 'みずほ', 'しんじゅく', '/account/details?bank=0001&branch=240');
      await tabTo(page, '#account_type', 150);
      await page.keyboard.press('Space');
      await typeInto(page, '#account_number', '7654321');
      await typeInto(page, '#holder_name', 'デジタル ハナコ');
      await enterAndWait(page, 'POST', '/account/details', 303);
      await expect(page).toHaveURL(/\/account\/check$/);
      await axe();
      await tabTo(page, 'main form[action="/account/check"] button[type="submit"]', 150);
      await enterAndWait(page, 'POST', '/account/check', 303);
      await expect(page).toHaveURL(/\/account\/confirm\/change$/);
      await confirmWithCard(page, axe, card, javaScript, 'changed');
      await expect(page.locator('.notification-banner')).toContainText('公金受取口座を変更しました');
      await expect(page.locator('main')).toContainText('****321');
      // The history: registered, then changed, newest first.
      const rows = page.locator('main table tbody tr');
      await expect(rows).toHaveCount(2);
      await expect(rows.nth(0)).toContainText('変更');
      await expect(rows.nth(1)).toContainText('登録');
      await axe();

      // The alert mail: what happened, when and how, and nothing of the account.
      const alert = await waitForMail(address, (m) => m.subject.includes('公金受取口座が変更されました'), 30_000);
      expect(alert.text).toContain('マイナポータル');
      expect(alert.text).toContain('/account');
      for (const secret of ['7654321', '1234567', '654321', 'デジタル']) {
        expect(alert.text, `the mail must not carry "${secret}"`).not.toContain(secret);
        expect(alert.html).not.toContain(secret);
      }

      // Delete, with the card again.
      await pressEnterOn(page, 'main a[href="/account/delete"]');
      await expect(page.locator('main')).toContainText('****321');
      await axe();
      await pressEnterOn(page, 'main a[href="/account/confirm/delete"]');
      await confirmWithCard(page, axe, card, javaScript, 'deleted');
      await expect(page.locator('main')).toContainText('公金受取口座は登録されていません。');
      await expect(page.locator('main table tbody tr')).toHaveCount(3);
      await axe();
    });
  });
}
