// 即日給付 end to end, by keyboard: 福岡市 (where no other test's citizen lives) publishes a claim form and a benefit for households under an income
// limit; the eligible resident finds the notice, follows its link and claims with one confirmation (the
// household and the registered 公金受取口座 already filled in); a resident of another city is told why not;
// the city approves the claims in bulk, and the transfer file, read back by `portal banks read-transfer`,
// pays the right amount into the right account.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { agencyClient, graphql } from '../fixtures/agency';
import { benefitForm } from '../fixtures/benefit';
import { pressEnterOn, tabTo } from '../fixtures/keyboard';
import { visit } from '../fixtures/pages';
import { portal } from '../fixtures/portal';
import { journeyCard, signInQuickly, workerCard } from '../fixtures/sign-in';

const CITY = '401307';
const TITLE = '物価高騰緊急支援給付金（e2e）';


const PAYER = {
  requesterCode: '4013070001',
  requesterName: 'フクオカシ',
  transferDate: '2026-12-10',
  bankCode: '0001',
  branchCode: '004',
  accountType: 'current',
  accountNumber: '0000001',
};

test('notice → one confirmation → bulk approval → a transfer file that reads back', async ({ page, request, browser }) => {
  test.setTimeout(120_000);
  const card = journeyCard('benefit-journey');
  const city = await agencyClient(request, CITY, card.key, 'e2e benefit');
  const bank = await agencyClient(request, 'bank-0001', card.key, 'e2e benefit bank');

  // What the city holds about the household, and the account the citizen registered at their bank.
  await graphql(request, city, 'mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created } }', {
    r: [
      { category: 'household', recordId: 'E2E-BEN-1', fields: { member_name: card.name, relationship: '本人', birth_date: '1990-01-01' } },
      { category: 'household', recordId: 'E2E-BEN-2', fields: { member_name: '井上 葵', relationship: '子', birth_date: '2019-07-07' } },
      {
        category: 'income_tax',
        recordId: 'E2E-BEN-3',
        fields: { fiscal_year: '2025', total_income: 2500000, taxable_income: 1750000, resident_tax: 175000 },
      },
    ].map((r) => ({ citizen: city.pseudonym, updatedOn: '2026-06-01', ...r })),
  });
  await graphql(
    request,
    bank,
    'mutation($c: String!, $a: PublicFundsAccountInput!) { registerPublicFundsAccount(citizen: $c, account: $a) { stored } }',
    {
      c: bank.pseudonym,
      a: { bankCode: '0001', branchCode: '001', accountType: 'ordinary', accountNumber: '2468013', holderName: card.kana },
    },
  );

  // The city publishes its claim form and the benefit.
  const form = await graphql(request, city, 'mutation($d: String!) { publishForm(document: $d) { problems { place reason } } }', {
    d: benefitForm('fukuoka_emergency_benefit', CITY),
  });
  expect(form.publishForm.problems).toEqual([]);
  const published = await graphql(
    request,
    city,
    'mutation($b: BenefitInput!) { publishBenefit(benefit: $b) { benefit { id } eligible } }',
    {
      b: {
        form: 'fukuoka_emergency_benefit',
        titleJa: TITLE,
        titleEn: 'Emergency support benefit (e2e)',
        amountPerHousehold: 100000,
        amountPerMember: 50000,
        municipalities: [CITY],
        maxIncome: 3000000,
        deadline: '2099-12-31',
      },
    },
  );
  // The demo data has residents of the city too: some are under the limit.
  expect(published.publishBenefit.eligible, 'at least this resident').toBeGreaterThanOrEqual(1);
  const benefit = `/benefits/${published.publishBenefit.benefit.id as string}`;

  // The citizen, by keyboard: the notice, its link, the benefit page.
  await signInQuickly(page, card);
  await visit(page, '/my-page');
  await pressEnterOn(page, 'a.header__notices');
  const notice = page.locator('main a', { hasText: `${TITLE}のご案内` });
  await pressEnterOn(page, `main a[href="${(await notice.getAttribute('href')) ?? ''}"]`);
  await expectNoAxeViolations(page);
  await pressEnterOn(page, 'main a.notice-action');
  expect(new URL(page.url()).pathname).toBe(benefit);
  const main = page.locator('main');
  await expect(main).toContainText('150,000円');
  await expect(main).toContainText('井上 葵');
  await expect(main).toContainText('2468013');
  await expectNoAxeViolations(page);

  // Sent without the confirmation: the error links to the box; then the one confirmation.
  await tabTo(page, 'main form button[type="submit"]');
  await page.keyboard.press('Enter');
  await expect(page).toHaveTitle(/^エラー[:：]/);
  await expectNoAxeViolations(page);
  await tabTo(page, '#confirm');
  await page.keyboard.press('Space');
  await tabTo(page, 'main form button[type="submit"]');
  await Promise.all([page.waitForURL(/\/applications\/[0-9a-f-]+\?sent=1$/), page.keyboard.press('Enter')]);
  const receipt = ((await page.locator('main .panel__body strong').textContent()) ?? '').trim();
  expect(receipt).toMatch(/^AP-\d{8}-[0-9A-Z]{6}$/);
  await expectNoAxeViolations(page);
  const application = new URL(page.url()).pathname;

  // A resident of another city is told why they cannot claim.
  const other = await browser.newPage();
  await signInQuickly(other, workerCard());
  await visit(other, benefit);
  await expect(other.locator('main')).toContainText('この給付金の対象ではありません');
  await expect(other.locator('main')).toContainText('福岡市');
  await expect(other.locator('main form')).toHaveCount(0);
  await expectNoAxeViolations(other);
  await other.close();

  // The city approves every claim at once; the file pays 150,000 yen into the registered account.
  const approved = await graphql(
    request,
    city,
    'mutation($id: ID!, $p: PayerInput!) { approveBenefitClaims(benefit: $id, payer: $p) { approved total file skipped { reason } } }',
    { id: published.publishBenefit.benefit.id, p: PAYER },
  );
  expect(approved.approveBenefitClaims).toMatchObject({ approved: 1, total: 150000, skipped: [] });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'transfer-')), 'sogofuri.txt');
  writeFileSync(file, Buffer.from(approved.approveBenefitClaims.file as string, 'base64'));
  const read = JSON.parse(portal(['banks', 'read-transfer', file])) as {
    header: Record<string, string>;
    payments: Record<string, string | number>[];
    count: number;
    total: number;
  };
  expect(read.header).toMatchObject({ requesterCode: '4013070001', transferDate: '12-10', bankCode: '0001' });
  expect(read.count).toBe(1);
  expect(read.total).toBe(150000);
  expect(read.payments[0]).toMatchObject({
    bankCode: '0001',
    branchCode: '001',
    accountType: 'ordinary',
    accountNumber: '2468013',
    holderName: 'ｲﾉｳｴ ﾀﾞｲｽｹ',
    amount: 150000,
  });
  expect(receipt.endsWith(read.payments[0].customerCode as string), 'the receipt number ties payment to claim').toBe(
    true,
  );

  // The citizen sees the claim completed.
  await visit(page, application);
  await expect(page.locator('main')).toContainText('完了');
  await expect(page.locator('main'), 'with the day it is paid').toContainText(PAYER.transferDate);
  await expectNoAxeViolations(page);
});
