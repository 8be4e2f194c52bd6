// Every page, in Japanese and English, with JavaScript on and off: language, one <h1>, error titles,
// axe-core (WCAG 2.2 AA + best practice), an ARIA snapshot of the whole page, and (JavaScript on) reflow at
// 320 px (WCAG 1.4.10) and, for each page the focus walk covers, text spacing at 1280 and 320 px (1.4.12).
//
// With JavaScript off, axe runs on the pages that portal.js would change as they load (fixtures/a11y.ts,
// alteredByScript). Any other page is, without JavaScript, the same document the JavaScript-on test of that
// page and language has just put through axe; its ARIA snapshot is still compared.

import { expect, test, type Page } from '@playwright/test';

import { alteredByScript, expectNoAxeViolations } from '../fixtures/a11y';
import { expectReflow } from '../fixtures/reflow';
import { expectTextSpacing } from '../fixtures/text-spacing';
import { ERROR_TITLE, LANGS, LOCALES, PAGES, useLanguage, type Lang, type PageCase } from '../fixtures/pages';

// Pages whose accessibility tree differs with JavaScript off keep a separate "-nojs" snapshot. All others
// share one snapshot per page and language.
const SEPARATE_NOJS_SNAPSHOT = new Set<string>(['apply-page-errors']);

function snapshotName(pageCase: PageCase, lang: Lang, javaScriptEnabled: boolean): string {
  const nojs = !javaScriptEnabled && SEPARATE_NOJS_SNAPSHOT.has(pageCase.name) ? '-nojs' : '';
  return `${pageCase.name}-${lang}${nojs}.aria.yml`;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
    test.use({ javaScriptEnabled });

    for (const lang of LANGS) {
      test.describe(lang, () => {
        test.use({ locale: LOCALES[lang] });
        test.beforeEach(async ({ context }) => useLanguage(context, lang));

        for (const pageCase of PAGES) {
          const variants = pageCase.variants ?? [];
          const title = variants.length > 0 ? `${pageCase.name} (+${variants.length} variants)` : pageCase.name;
          test(title, async ({ page }) => {
            // Variants share the page's test (a new test per variant would cost more than its checks).
            test.setTimeout(30_000 + variants.length * 10_000);
            for (const current of [pageCase, ...variants]) {
              await test.step(current.name, async () => {
                await current.open(page);
                await checkPage(page, current, lang, javaScriptEnabled);
                // Last, as it leaves the page re-spaced; variants differ only in their text.
                if (javaScriptEnabled && current === pageCase && pageCase.walk !== false) {
                  await expectTextSpacing(page);
                }
              });
            }
          });
        }
      });
    }
  });
}

async function checkPage(page: Page, pageCase: PageCase, lang: Lang, javaScriptEnabled: boolean): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('h1'), 'a page has exactly one <h1>').toHaveCount(1);
  if (pageCase.error) {
    await expect(page).toHaveTitle(ERROR_TITLE[lang]);
  } else {
    await expect(page).not.toHaveTitle(/^(エラー|Error)/);
    expect(await page.title(), 'every page has a title').not.toBe('');
  }

  if (javaScriptEnabled || (await alteredByScript(page))) {
    await expectNoAxeViolations(page, { javaScriptEnabled });
  }
  await expect(page.locator(pageCase.snapshotOf ?? 'body')).toMatchAriaSnapshot({
    name: snapshotName(pageCase, lang, javaScriptEnabled),
  });
  if (javaScriptEnabled) await expectReflow(page);
}

// The header's language switch leads to the same page in the other language, and says which language it
// offers in that language (WCAG 3.1.2).
test.describe('language switch', () => {
  const paths = ['/', '/accessibility', '/feedback', '/components', '/no-such-page/e2e'];
  const other: Record<Lang, Lang> = { ja: 'en', en: 'ja' };
  const label: Record<Lang, string> = { ja: '日本語', en: 'English' };

  for (const javaScriptEnabled of [true, false]) {
    test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
      test.use({ javaScriptEnabled });

      for (const from of LANGS) {
        const to = other[from];
        for (const path of paths) {
          test(`${from} → ${to} on ${path}`, async ({ page, context, baseURL }) => {
            await useLanguage(context, from);
            await page.goto(path);
            await expect(page.locator('html')).toHaveAttribute('lang', from);

            const link = page.getByRole('banner').locator(`a[href^="/language/${to}"]`);
            await expect(link, 'one language link in the header').toHaveCount(1);
            await expect(link).toContainText(label[to]);
            await expect(
              link.locator(`xpath=self::*[@lang="${to}"] | .//*[@lang="${to}"]`),
              `the link text is marked lang="${to}"`,
            ).not.toHaveCount(0);
            const href = new URL((await link.getAttribute('href')) ?? '', baseURL);
            expect(href.pathname).toBe(`/language/${to}`);
            expect(href.searchParams.get('next')).toBe(path);

            await link.click();
            await page.waitForURL((url) => url.pathname === path && !url.pathname.startsWith('/language/'));
            await expect(page.locator('html')).toHaveAttribute('lang', to);
            const cookie = (await context.cookies()).find((c) => c.name === 'lang');
            expect(cookie?.value, 'the lang cookie remembers the choice').toBe(to);

            // And back again.
            const back = page.getByRole('banner').locator(`a[href^="/language/${from}"]`);
            await expect(back).toContainText(label[from]);
          });
        }
      }
    });
  }
});
