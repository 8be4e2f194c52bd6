// お知らせ end to end, by keyboard, with a real SMTP server: the citizen registers an e-mail address and
// confirms it with the code from the mail the server received; 横浜市 posts a notice to the citizen and a
// broadcast to the city; both alerts arrive, saying nothing personal; the citizen reads both in the inbox
// while the unread count in the header goes down; the one-click unsubscribe in the alert stops the mails.

import { expect, test } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { pressEnterOn, typeInto } from '../fixtures/keyboard';
import { waitForMail, type ReceivedMail } from '../fixtures/mail';
import { visit } from '../fixtures/pages';
import { journeyCard, signInQuickly } from '../fixtures/sign-in';

const CITY = '141003';
const CITY_NAME = '横浜市';
const LISTED_TITLE = '国民健康保険料の納付について（e2e）';
const BROADCAST_TITLE = '防災訓練のお知らせ（e2e）';

const SIX_DIGITS = /(?<!\d)(\d{6})(?!\d)/;

test('alerts reach a real SMTP server, the inbox counts down, one click unsubscribes', async ({ page, request }) => {
  test.setTimeout(120_000);
  const card = journeyCard('notice-journey');
  const address = `notice-journey-${Date.now()}@example.jp`;

  // Register and confirm the address, by keyboard: マイページ → メールでのお知らせ通知 → address → code.
  await signInQuickly(page, card);
  await visit(page, '/my-page');
  await pressEnterOn(page, 'main a[href="/settings/email"]');
  await expectNoAxeViolations(page);
  await pressEnterOn(page, 'main a[href="/settings/email/address"]');
  await expectNoAxeViolations(page);
  await typeInto(page, '#email', address);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/settings\/email\/confirm$/);
  await expectNoAxeViolations(page);
  const codeMail = await waitForMail(address, (m) => SIX_DIGITS.test(m.text), 30_000);
  const code = codeMail.text.match(SIX_DIGITS)?.[1] ?? '';
  await typeInto(page, '#code', code);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/settings\/email\/categories/);
  await expectNoAxeViolations(page);

  // 横浜市 posts a notice to the citizen and a broadcast to the city.
  const agency = await agencyClient(request, CITY, card.key, 'e2e notices');
  const notice = (title: string, category: string) => ({
    title,
    body: `${title}\n\n詳しくは https://www.city.yokohama.lg.jp/ をご覧ください。`,
    category,
  });
  await graphql(request, agency, 'mutation($n: NoticeInput!, $c: [String!]!) { postNotice(notice: $n, citizens: $c) { notice { id } } }', {
    n: notice(LISTED_TITLE, 'health'),
    c: [agency.pseudonym],
  });
  await graphql(request, agency, 'mutation($n: NoticeInput!) { postBroadcast(notice: $n, audience: {municipalities: ["141003"]}) { notice { id } } }', {
    n: notice(BROADCAST_TITLE, 'disaster'),
  });

  // Two alerts arrive: they name the agency, link to the portal, and say nothing personal.
  const isAlert = (m: ReceivedMail) => m.headers['list-unsubscribe-post'] !== undefined;
  const alerts: ReceivedMail[] = [];
  const deadline = Date.now() + 60_000;
  while (alerts.length < 2 && Date.now() < deadline) {
    const mail = await waitForMail(address, (m) => isAlert(m) && !alerts.some((a) => a.messageId === m.messageId), 60_000);
    alerts.push(mail);
  }
  expect(alerts).toHaveLength(2);
  for (const alert of alerts) {
    for (const part of [alert.subject, alert.text, alert.html]) {
      expect(part).toContain(CITY_NAME);
      for (const secret of [card.name, LISTED_TITLE, BROADCAST_TITLE, '国民健康保険料', '防災訓練']) {
        expect(part, `the alert must not carry "${secret}"`).not.toContain(secret);
      }
    }
    expect(alert.text).toContain('/notices');
    expect(alert.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(alert.headers['list-unsubscribe']).toMatch(/^<https?:\/\/[^>]+\/unsubscribe\/[A-Za-z0-9_-]+>$/);
  }

  // The inbox: two unread in the header, each opened by keyboard, the count going down.
  await visit(page, '/my-page');
  const counter = page.locator('a.header__notices');
  await expect(counter).toHaveText('お知らせ（未読 2件）');
  await pressEnterOn(page, 'a.header__notices');
  await expect(page.locator('h1')).toContainText('お知らせ');
  await expectNoAxeViolations(page);
  for (const [title, left] of [
    [LISTED_TITLE, 1],
    [BROADCAST_TITLE, 0],
  ] as const) {
    const link = page.locator('main a', { hasText: title });
    const href = (await link.getAttribute('href')) ?? '';
    await pressEnterOn(page, `main a[href="${href}"]`);
    await expect(page.locator('h1')).toHaveText(title);
    await expect(page.locator('main')).toContainText(CITY_NAME);
    await expectNoAxeViolations(page);
    await expect(counter).toHaveText(`お知らせ（未読 ${left}件）`);
    await pressEnterOn(page, 'a.header__notices');
  }

  // The alert's unsubscribe link: a GET only shows the button (link checkers cannot unsubscribe) …
  const link = alerts[0].headers['list-unsubscribe'].slice(1, -1);
  const path = new URL(link).pathname;
  await visit(page, path);
  await expect(page.locator('main button[type="submit"]')).toBeVisible();
  await expectNoAxeViolations(page);
  // … and the mail provider's one-click POST (RFC 8058: no cookies, no form token) stops the alerts.
  const unsubscribed = await request.post(link, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(unsubscribed.status()).toBe(200);
  await visit(page, '/settings/email');
  await expect(page.locator('main')).toContainText('なし（メールは届きません）');
  await expectNoAxeViolations(page);
});
