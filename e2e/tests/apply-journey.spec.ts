// ぴったりサービス end to end, by keyboard with JavaScript off: the citizen finds the child allowance claim
// signed out, signs in and lands back on it, finds the household prefilled with its source, leaves
// mid-way, signs in again and resumes from 申請の状況, fixes an error from the error summary, attaches a file,
// signs with the card's signature certificate and sends; the receipt and the confirmation mail follow; the
// ward asks for a correction, the citizen corrects and sends again, the ward completes it, the citizen
// sees each step and writes to the ward. Every page and error state passes axe.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { focusMatches, pressEnterOn, tabTo, typeInto } from '../fixtures/keyboard';
import { waitForMail } from '../fixtures/mail';
import { visit } from '../fixtures/pages';
import { answerWithCard, journeyCard, readCode, signDocumentWithCard, signInQuickly } from '../fixtures/sign-in';

test.use({ javaScriptEnabled: false });

const NO_JS = { javaScriptEnabled: false };
const CHILD = '松本 蓮';
const SIX_DIGITS = /(?<!\d)(\d{6})(?!\d)/;
const STATUS =
  'mutation($id: ID!, $s: String!, $m: String, $f: [String!]) { setApplicationStatus(id: $id, status: $s, message: $m, fields: $f) { status } }';

async function check(page: Page): Promise<void> {
  await expect(page.locator('h1')).toHaveCount(1);
  await expectNoAxeViolations(page, NO_JS);
}

/** Presses the form's main button (its last submit button: "continue", not "add another"). */
async function pressContinue(page: Page, form = 'main form'): Promise<void> {
  const button = `${form} button[type="submit"]:not([name="action"])`;
  await tabTo(page, button, 150);
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

test('a child allowance claim from the catalogue to completion', async ({ page, request }) => {
  test.setTimeout(180_000);
  const card = journeyCard('apply-journey');
  const address = `apply-journey-${Date.now()}@example.jp`;

  // The ward holds the household: the claim will be prefilled from it.
  const ward = await agencyClient(request, '131016', card.key, 'e2e apply journey');
  await graphql(
    request,
    ward,
    'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created } }',
    {
      r: [
        { relationship: '本人', member_name: card.name, birth_date: '1990-01-01', id: 'E2E-HH-1' },
        { relationship: '子', member_name: CHILD, birth_date: '2021-04-10', id: 'E2E-HH-2' },
      ].map(({ id, ...fields }) => ({
        citizen: ward.pseudonym,
        category: 'household',
        recordId: id,
        updatedOn: '2026-10-01',
        fields,
      })),
    },
  );

  // Signed out: the catalogue, a word search in hiragana, the procedure's page, its start link.
  await visit(page, '/');
  await pressEnterOn(page, 'header a[href="/services"]');
  await check(page);
  await typeInto(page, '#words', 'じどうてあて');
  await Promise.all([page.waitForURL(/words=/), page.keyboard.press('Enter')]);
  await pressEnterOn(page, 'main a[href^="/services/child_allowance"]');
  await check(page);
  await tabTo(page, 'main a[href="/apply/child_allowance"]');
  await Promise.all([page.waitForURL((url) => url.pathname === '/sign-in'), page.keyboard.press('Enter')]);

  // Signing in leads back to the claim.
  const code = await readCode(page);
  answerWithCard(code, card);
  await tabTo(page, 'main form[action="/sign-in/continue"] button[type="submit"]');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/apply/child_allowance'),
    page.keyboard.press('Enter'),
  ]);
  await check(page);

  // An address for the confirmation mail, confirmed with the code the SMTP server received.
  await visit(page, '/settings/email/address');
  await typeInto(page, '#email', address);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/settings\/email\/confirm$/);
  const codeMail = await waitForMail(address, (m) => SIX_DIGITS.test(m.text), 30_000);
  await typeInto(page, '#code', codeMail.text.match(SIX_DIGITS)?.[1] ?? '');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/settings\/email\/categories/);

  // Start: the first page shows the name locked and where it came from.
  await visit(page, '/apply/child_allowance');
  await pressContinue(page, 'main form[action="/apply/child_allowance"]');
  await expect(page).toHaveURL(/\/pages\/claimant$/);
  await expect(page.locator('main')).toContainText(card.name);
  await expect(page.locator('main')).toContainText('住民基本台帳（千代田区）');
  await check(page);
  await pressContinue(page);

  // The children come from the household, with their source; the citizen answers the one question left.
  await expect(page).toHaveURL(/\/pages\/children$/);
  await expect(page.locator('#f-children-0-child_name')).toHaveValue(CHILD);
  await expect(page.locator('main')).toContainText('世帯（千代田区）');
  await tabTo(page, 'input[name="children.0.lives_together"][value="yes"]');
  await page.keyboard.press('Space');
  await pressContinue(page);
  await expect(page).toHaveURL(/\/pages\/payment$/);
  const application = new URL(page.url()).pathname.replace(/\/pages\/payment$/, '');

  // Leave mid-way: sign out, sign in again, and resume from 申請の状況.
  await tabTo(page, 'header form[action="/sign-out"] button');
  await Promise.all([page.waitForURL(/signed-out/), page.keyboard.press('Enter')]);
  await signInQuickly(page, card);
  await visit(page, '/my-page');
  await pressEnterOn(page, 'header a[href="/applications"]');
  await check(page);
  await tabTo(page, `main a[href="${application}"]`);
  await Promise.all([
    page.waitForURL((url) => url.pathname === `${application}/pages/payment`),
    page.keyboard.press('Enter'),
  ]);
  await check(page);

  // A wrong bank code: the error summary links to the field; the citizen fixes it there.
  // No 公金受取口座 is registered, so "another account" is the only choice, and chosen.
  await expect(page.locator('input[name="account.use"][value="other"]')).toBeChecked();
  await typeInto(page, '#f-account-bank_code', '12');
  await typeInto(page, '#f-account-branch_code', '001');
  await typeInto(page, '#f-account-number', '7654321');
  await typeInto(page, '#f-account-holder_kana', 'マツモト ミサキ');
  await tabTo(page, '#f-account-account_type');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#f-account-account_type')).toHaveValue('ordinary');
  await tabTo(page, '#f-declaration');
  await page.keyboard.press('Space');
  await pressContinue(page);
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await check(page);
  const summaryLink = 'main .error-summary a[href="#f-account-bank_code"]';
  await expect(page.locator(summaryLink)).toBeVisible();
  await tabTo(page, summaryLink, 40);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#f-account-bank_code$/);
  await expect(page.locator('#f-account-holder_kana'), 'what was typed is kept').toHaveValue('マツモト ミサキ');
  // Without JavaScript the link moves the keyboard's starting point to the field, so Tab goes on to the
  // next one and Shift+Tab comes back to it.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  expect(await focusMatches(page, '#f-account-bank_code'), 'the field the error is about').toBe(true);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0001');

  // A file: the file dialog is the operating system's, so the chosen file is set on the focused input.
  await tabTo(page, '#f-insurance_card');
  await page.locator('#f-insurance_card').setInputFiles({
    name: '保険証.png',
    mimeType: 'image/png',
    // A 1×1 PNG: its type is read from these bytes, not from the name.
    buffer: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  });
  await pressContinue(page);
  await expect(page).toHaveURL(/\/check$/);
  await expect(page.locator('main')).toContainText('保険証.png');
  await check(page);

  // Sign with the card's signature certificate, then send.
  await tabTo(page, 'main a.button[href$="/sign"]');
  await Promise.all([page.waitForURL((url) => url.pathname.endsWith('/sign')), page.keyboard.press('Enter')]);
  await check(page);
  signDocumentWithCard(await readCode(page), card);
  await tabTo(page, '#sign-continue');
  await Promise.all([page.waitForURL(/\?sent=1$/), page.keyboard.press('Enter')]);
  await expect(page).toHaveURL(/\?sent=1$/);
  const receipt = ((await page.locator('main .panel__body strong').textContent()) ?? '').trim();
  expect(receipt).toMatch(/^AP-\d{8}-[0-9A-Z]{6}$/);
  await expect(page.locator('main')).toContainText('署名済み');
  await check(page);
  const mail = await waitForMail(address, (m) => m.subject.includes(receipt), 30_000);
  for (const secret of [card.name, CHILD, '7654321']) {
    expect(mail.text, `the mail must not carry "${secret}"`).not.toContain(secret);
  }

  // The ward asks for the address to be corrected.
  const id = application.split('/').pop() as string;
  for (const [s, m, f] of [
    ['received', null, null],
    ['reviewing', null, null],
    ['correction', '住所に部屋番号まで書いてください', ['address']],
  ] as const) {
    await graphql(request, ward, STATUS, { id, s, m, f });
  }
  await visit(page, application, 200);
  await expect(page).toHaveURL(/\/check$/);
  await expect(page.locator('main')).toContainText('住所に部屋番号まで書いてください');
  await check(page);
  await pressEnterOn(page, 'main a[href*="pages/claimant"]');
  await tabTo(page, '#f-address');
  await page.keyboard.press('End');
  await page.keyboard.type(' 101号室');
  await pressContinue(page);
  await expect(page).toHaveURL(/\/check$/);
  await pressContinue(page, 'main form[action$="/check"]');
  await expect(page.locator('main')).toContainText(receipt);

  // The ward completes it; the citizen sees every step.
  await graphql(request, ward, STATUS, { id, s: 'completed', m: '認定しました', f: null });
  await visit(page, application);
  for (const step of ['送信済', '受付', '審査中', '補正依頼', '完了', '認定しました']) {
    await expect(page.locator('main')).toContainText(step);
  }
  await check(page);

  // Messages go both ways: the citizen asks, and it joins the history.
  await typeInto(page, '#message', '認定通知書はいつ届きますか');
  await pressContinue(page, 'main form[action$="/messages"]');
  await expect(page).toHaveURL(/\?message=1$/);
  await expect(page.locator('main')).toContainText('あなたからのメッセージ');
  await check(page);
});
