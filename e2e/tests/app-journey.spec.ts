// Private apps of the 自己情報取得API end to end, by keyboard, with the example apps of server/example-apps
// running beside the portal (fixtures/apps.ts): agencies publish a citizen's records; the citizen, signed
// out, starts the connection in the app, signs in with the card, reads the consent page (app, operator,
// purpose, items, 90 days), approves, and sees the records in the app; the read appears in やりとり履歴 and
// 連携中のサービス, where the citizen revokes the consent, after which the app is told it is disconnected.
// The PHR app is a confidential client; the accounting app is a public one (PKCE alone), whose summary and
// CSV are checked figure by figure, after the citizen first declines once. A return address the app did
// not register gets the portal's error page and no redirect.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { startApp } from '../fixtures/apps';
import { tabTo } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
import { portalUrl } from '../fixtures/portal';
import { answerWithCard, journeyCard, readCode, type TestCard } from '../fixtures/sign-in';

const PUBLISH = 'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created updated rejected { index reason } } }';
const CONNECT = 'main form[action="/connect"] button[type="submit"]';
const APPROVE = 'main form[action="/oauth/authorize"] button[name="decision"][value="approve"]';
const DENY = 'main form[action="/oauth/authorize"] button[name="decision"][value="deny"]';
const REVOKE = 'main form[action^="/settings/apps/"][action$="/revoke"] button[type="submit"]';
const DISCONNECTED = 'マイナポータルとの連携が解除されています';

/** This year in Japan, where the portal and the apps count years. */
function yearInJapan(): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', year: 'numeric' }).format(new Date()));
}

/** Today in Japan as the portal writes a date (2026年11月28日). */
function todayInJapan(): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}年${part('month')}月${part('day')}日`;
}

/** Presses Enter on the focused control (reached with Tab) and waits for the page it leads to. */
async function enterAndWait(page: Page, selector: string, url: (u: URL) => boolean): Promise<void> {
  await tabTo(page, selector, 120);
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

/** From the app's start page: 「マイナポータルと連携する」 by keyboard, which leads to the portal. */
async function connectFromApp(page: Page, lands: (u: URL) => boolean): Promise<void> {
  await enterAndWait(page, CONNECT, (u) => u.origin === portalUrl() && lands(u));
}

/**
 * On the portal's sign-in page, reached from the app while signed out: the card app answers the code, the
 * page (JavaScript on) continues by itself, and the kept return address leads back to the consent page.
 */
async function signInOnPortal(page: Page, card: TestCard): Promise<void> {
  expect(new URL(page.url()).pathname, 'a signed-out citizen is asked to sign in first').toBe('/sign-in');
  answerWithCard(await readCode(page), card);
  await page.waitForURL((u) => u.origin === portalUrl() && u.pathname === '/oauth/authorize', { timeout: 15_000 });
  await page.waitForLoadState('load');
}

/** The consent page: names the app, its operator and purpose, each item asked for, and the 90 days. */
async function expectConsentPage(
  page: Page,
  app: { name: string; operator: string; purpose: string },
  items: string[],
): Promise<void> {
  await expect(page.locator('h1')).toContainText(app.name);
  const main = page.locator('main');
  await expect(main).toContainText(app.operator);
  await expect(main).toContainText(app.purpose);
  for (const item of items) await expect(main.locator('li', { hasText: item })).toHaveCount(1);
  await expect(main).toContainText('90日間');
  await expectNoAxeViolations(page);
}

/** やりとり履歴 shows the app's read (the reads are folded into the history twice a second). */
async function expectReadInHistory(page: Page, requester: string, purpose: string): Promise<void> {
  await expect(async () => {
    await visit(page, '/history');
    const entry = page.locator('main .history-list__item', { hasText: requester }).first();
    await expect(entry).toBeVisible({ timeout: 500 });
    await expect(entry).toContainText(purpose, { timeout: 500 });
  }, 'the app’s read reaches やりとり履歴').toPass({ timeout: 10_000 });
  await expectNoAxeViolations(page);
}

/** 連携中のサービス lists the app with its last read; the citizen revokes it by keyboard. */
async function revokeOnPortal(page: Page, app: { name: string; operator: string }): Promise<void> {
  await visit(page, '/settings/apps');
  await expect(page.locator('h1')).toHaveText('連携中のサービス');
  const main = page.locator('main');
  await expect(main.locator('h2', { hasText: app.name })).toHaveCount(1);
  await expect(main).toContainText(app.operator);
  await expect(main, 'the last read is shown').not.toContainText('まだ取得していません');
  const lastRead = main.locator('.summary-list__row', { hasText: '最後に情報を取得した日時' }).locator('dd');
  await expect(lastRead, 'the last read is today').toContainText(todayInJapan());
  await expectNoAxeViolations(page);

  await enterAndWait(page, REVOKE, (u) => u.pathname === '/settings/apps' && u.searchParams.has('revoked'));
  const banner = page.locator('main .notification-banner');
  await expect(banner).toContainText('連携を解除しました');
  await expect(banner).toContainText(app.name);
  await expect(main.locator(REVOKE), 'the app is no longer listed').toHaveCount(0);
  await expect(main).toContainText('連携中のサービスはありません。');
  await expectNoAxeViolations(page);
}

test.describe('private apps of the 自己情報取得API', () => {
  test('PHR app (confidential): connect by card, consent, records, history, revoke', async ({ page, request }) => {
    test.setTimeout(120_000);
    const card = journeyCard('app-journey-phr');
    const registration = {
      name: 'けんこう記録（e2e）',
      operator: 'Example PHR 株式会社',
      purpose: '健診結果と処方の記録を年ごとに表示します（e2e）',
      scopes: ['health_checkups', 'prescriptions'],
    };

    // The health insurer publishes two check-ups and a prescription.
    const insurer = await agencyClient(request, 'kyoukaikenpo', card.key, 'e2e app journey');
    const published = await graphql(request, insurer, PUBLISH, {
      r: [
        {
          category: 'health_checkups',
          recordId: 'E2E-APP-HC-1',
          updatedOn: '2025-06-20',
          fields: { checked_on: '2025-06-10', bmi: '22.4', blood_pressure: '118/76', hba1c: '5.6' },
        },
        {
          category: 'health_checkups',
          recordId: 'E2E-APP-HC-2',
          updatedOn: '2026-06-20',
          fields: { checked_on: '2026-06-12', bmi: '23.1', blood_pressure: '124/80', hba1c: '5.9', guidance: '情報提供' },
        },
        {
          category: 'prescriptions',
          recordId: 'E2E-APP-RX-1',
          updatedOn: '2026-07-03',
          fields: { dispensed_on: '2026-07-01', pharmacy: 'かすみ薬局（e2e）', drug: 'アムロジピン錠5mg（e2e）', quantity: '28錠', days: 28 },
        },
      ].map((r) => ({ citizen: insurer.pseudonym, ...r })),
    });
    expect(published.publishRecords).toEqual({ created: 3, updated: 0, rejected: [] });

    const app = await startApp('phr-app', registration);
    try {
      // Signed out, in the app: connect → the portal's sign-in → back to the consent page.
      await visit(page, `${app.url}/`);
      await expect(page.locator('h1')).toHaveText('けんこう記録（PHRサンプル）');
      await expectNoAxeViolations(page);
      await connectFromApp(page, (u) => u.pathname === '/sign-in');
      await signInOnPortal(page, card);
      await expectConsentPage(page, registration, ['健康診断の結果', '薬剤情報（処方された薬）']);

      // The same request with a return address the app did not register: an error page, no redirect.
      const consent = new URL(page.url());
      const forged = new URL(consent.href);
      forged.searchParams.set('redirect_uri', `${app.url}/elsewhere`);
      const refused = await page.goto(forged.href);
      expect(refused?.status(), 'the request is refused').toBe(400);
      expect(refused?.headers().location, 'and not redirected').toBeUndefined();
      expect(page.url(), 'the browser stays on the portal').toBe(forged.href);
      await expect(page.locator('h1')).toHaveText('連携を始められません');
      await expect(page.locator('main')).toContainText('登録された戻り先と一致しません');
      await expectNoAxeViolations(page);

      // Approve by keyboard: back in the app, which shows the records.
      await visit(page, consent.pathname + consent.search);
      await enterAndWait(page, APPROVE, (u) => u.origin === app.url && u.pathname === '/records');
      const main = page.locator('main');
      await expect(page.locator('h1')).toHaveText('健診結果と処方の記録');
      const checkups = main.locator('table', { has: page.locator('caption', { hasText: '健診結果' }) });
      await expect(checkups.locator('tbody tr')).toHaveCount(2);
      await expect(checkups.locator('tbody tr').first()).toContainText('2026-06-12');
      for (const value of ['124/80', '5.9', '23.1', '情報提供', '118/76', '5.6', '22.4']) {
        await expect(checkups).toContainText(value);
      }
      const prescriptions = main.locator('table', { has: page.locator('caption', { hasText: '処方' }) });
      await expect(prescriptions.locator('tbody tr')).toHaveCount(1);
      for (const value of ['2026-07-01', 'かすみ薬局（e2e）', 'アムロジピン錠5mg（e2e）', '28錠']) {
        await expect(prescriptions).toContainText(value);
      }
      await expect(main, 'each table names its source').toContainText('全国健康保険協会');
      await expect(main.locator('li', { hasText: 'HbA1c' })).toContainText('5.6');
      await expect(main.locator('li', { hasText: 'HbA1c' })).toContainText('5.9');
      await expectNoAxeViolations(page);

      // The portal: the read in やりとり履歴, then 連携中のサービス, and revoking.
      await expectReadInHistory(page, `${registration.name}（${registration.operator}）`, registration.purpose);
      await revokeOnPortal(page, registration);

      // The app's next load of its data page is refused by the portal: the app says it is disconnected.
      await visit(page, `${app.url}/records`);
      await expect(page.locator('h1')).toHaveText(DISCONNECTED);
      await expect(page.locator(CONNECT), 'with the button to connect again').toHaveCount(1);
      await expect(page.locator('main')).not.toContainText('アムロジピン');
      await expectNoAxeViolations(page);
    } catch (error) {
      console.log(`phr-app log:\n${app.log()}`);
      throw error;
    } finally {
      await app.stop();
    }
  });

  test('accounting app (public): decline, then connect, the year’s summary and CSV, revoke', async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    const card = journeyCard('app-journey-accounting');
    const registration = {
      name: 'かんたん確定申告（e2e）',
      operator: 'Example Accounting 株式会社',
      purpose: '確定申告の控除の集計表を作ります（e2e）',
      scopes: ['medical_expenses', 'deductions', 'income_tax'],
      public: true,
    };
    // Last year: the year a 確定申告 is filed for now, and the one the app's summary shows first.
    const year = yearInJapan() - 1;
    const updated = `${year}-12-20`;

    // The insurer: two months of medical expenses in the year, one in the year before (not counted).
    const insurer = await agencyClient(request, 'kyoukaikenpo', card.key, 'e2e accounting insurer');
    const medical = await graphql(request, insurer, PUBLISH, {
      r: [
        { recordId: 'E2E-APP-ME-1', treated_in: `${year}-03`, paid: 60000, updatedOn: `${year}-05-10` },
        { recordId: 'E2E-APP-ME-2', treated_in: `${year}-09`, paid: 52000, updatedOn: updated },
        { recordId: 'E2E-APP-ME-0', treated_in: `${year - 1}-12`, paid: 9000, updatedOn: `${year}-02-10` },
      ].map((r) => ({
        citizen: insurer.pseudonym,
        category: 'medical_expenses',
        recordId: r.recordId,
        updatedOn: r.updatedOn,
        fields: { treated_in: r.treated_in, provider: 'e2eクリニック', days: 2, total_cost: r.paid * 3, paid_by_patient: r.paid },
      })),
    });
    expect(medical.publishRecords).toEqual({ created: 3, updated: 0, rejected: [] });
    // The tax agency: the year's income (under 2,000,000 yen, so 5% of it is subtracted) and certificates.
    const nta = await agencyClient(request, 'nta', card.key, 'e2e accounting nta');
    const certificates = [
      { id: 'E2E-APP-DE-1', deduction: '生命保険料控除証明書', issuer: 'e2e生命保険株式会社', amount: 84000 },
      { id: 'E2E-APP-DE-2', deduction: 'iDeCo（個人型確定拠出年金）掛金払込証明書', issuer: '国民年金基金連合会', amount: 276000 },
      { id: 'E2E-APP-DE-3', deduction: 'ふるさと納税（寄附金受領証明書）', issuer: '北海道e2e町', amount: 30000 },
      { id: 'E2E-APP-DE-4', deduction: 'ふるさと納税（寄附金受領証明書）', issuer: '長野県e2e村', amount: 20000 },
    ];
    const tax = await graphql(request, nta, PUBLISH, {
      r: [
        {
          category: 'income_tax',
          recordId: 'E2E-APP-IT-1',
          fields: { fiscal_year: String(year), total_income: 1800000, taxable_income: 1000000, resident_tax: 90000 },
        },
        ...certificates.map((c) => ({
          category: 'deductions',
          recordId: c.id,
          fields: { year: String(year), deduction: c.deduction, issuer: c.issuer, amount: c.amount },
        })),
      ].map((r) => ({ citizen: nta.pseudonym, updatedOn: updated, ...r })),
    });
    expect(tax.publishRecords).toEqual({ created: 5, updated: 0, rejected: [] });

    const app = await startApp('accounting-app', registration);
    try {
      const items = ['医療費の情報', '控除証明書等（生命保険料・iDeCo・ふるさと納税など）', '所得・住民税の情報'];
      // Signed out: connect → sign in → consent; the citizen declines first.
      await visit(page, `${app.url}/`);
      await expectNoAxeViolations(page);
      await connectFromApp(page, (u) => u.pathname === '/sign-in');
      await signInOnPortal(page, card);
      await expectConsentPage(page, registration, items);
      await enterAndWait(page, DENY, (u) => u.origin === app.url && u.pathname === '/callback');
      await expect(page.locator('h1')).toHaveText('連携が許可されませんでした');
      await expectNoAxeViolations(page);

      // Then connects from the declined page (already signed in: straight to the consent page), approves.
      await connectFromApp(page, (u) => u.pathname === '/oauth/authorize');
      await expectConsentPage(page, registration, items);
      await enterAndWait(page, APPROVE, (u) => u.origin === app.url && u.pathname === '/summary');

      // The summary of the year: medical expenses 112,000 − 90,000 (5% of 1,800,000) = 22,000.
      await expect(page.locator('h1')).toHaveText(`${year}年分 確定申告の控除の集計`);
      const totals = page.locator('main table', {
        has: page.locator('caption', { hasText: '区分ごとの合計' }),
      });
      const total = (label: string) => totals.locator('tbody tr', { has: page.locator('th', { hasText: label }) });
      await expect(total('医療費控除').locator('td')).toHaveText(['22,000', '2']);
      await expect(total('生命保険料控除').locator('td')).toHaveText(['84,000', '1']);
      await expect(total('地震保険料控除').locator('td')).toHaveText(['0', '0']);
      await expect(total('iDeCo').locator('td')).toHaveText(['276,000', '1']);
      await expect(total('ふるさと納税').locator('td')).toHaveText(['50,000', '2']);
      await expect(page.locator('main')).toContainText('1,800,000円）の5%が10万円より少ない');
      await expectNoAxeViolations(page);

      // The CSV download, with the page's cookies: one line per row of the summary.
      const download = page.locator(`main a[href="/summary.csv?year=${year}"]`);
      await expect(download).toHaveCount(1);
      const response = await page.request.get(`${app.url}/summary.csv?year=${year}`);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers()['content-disposition']).toContain(`deductions-${year}.csv`);
      const csv = (await response.body()).toString('utf8');
      expect(csv.charCodeAt(0), 'a BOM, so spreadsheet software reads UTF-8').toBe(0xfeff);
      expect(csv.slice(1).split('\r\n')).toEqual([
        '対象年,区分,内容,発行元,金額（円）,情報提供元,最終更新日',
        `${year},医療費控除,支払った医療費（自己負担額）の合計（2件）,,112000,全国健康保険協会,${updated}`,
        `${year},医療費控除,"差し引く金額（総所得金額等 1,800,000円の5%）",,90000,国税庁,${updated}`,
        `${year},医療費控除,医療費控除額（上限200万円）,,22000,全国健康保険協会,${updated}`,
        `${year},生命保険料控除,生命保険料控除証明書,e2e生命保険株式会社,84000,国税庁,${updated}`,
        `${year},小規模企業共済等掛金控除（iDeCo等）,iDeCo（個人型確定拠出年金）掛金払込証明書,国民年金基金連合会,276000,国税庁,${updated}`,
        `${year},寄附金控除（ふるさと納税等）,ふるさと納税（寄附金受領証明書）,北海道e2e町,30000,国税庁,${updated}`,
        `${year},寄附金控除（ふるさと納税等）,ふるさと納税（寄附金受領証明書）,長野県e2e村,20000,国税庁,${updated}`,
        '',
      ]);

      // Revoked on the portal: the app's next call fails, and it says it is disconnected.
      await expectReadInHistory(page, `${registration.name}（${registration.operator}）`, registration.purpose);
      await revokeOnPortal(page, registration);
      await visit(page, `${app.url}/summary?year=${year}`);
      await expect(page.locator('h1')).toHaveText(DISCONNECTED);
      await expect(page.locator('main')).not.toContainText('276,000');
      await expectNoAxeViolations(page);
      const after = await page.request.get(`${app.url}/summary.csv?year=${year}`);
      expect(after.headers()['content-type'], 'no CSV once disconnected').toContain('text/html');
    } catch (error) {
      console.log(`accounting-app log:\n${app.log()}`);
      throw error;
    } finally {
      await app.stop();
    }
  });
});
