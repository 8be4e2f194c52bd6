// WCAG 3.2.3 Consistent Navigation, 3.2.4 Consistent Identification and 3.2.6 Consistent Help: the header,
// navigation and footer (with its help link) are the same, in the same order, on every page.

import { expect, test, type Page } from '@playwright/test';

import { LANGS, LOCALES, PAGES, useLanguage } from '../fixtures/pages';

// The parts of the shell that may differ from page to page: link targets (the language switch returns to the
// current page) and which navigation item is marked current.
function normalise(snapshot: string): string {
  return snapshot
    .split('\n')
    .filter((line) => !/^\s*- \/url:/.test(line))
    .map((line) => line.replace(/ \[current\]/, ''))
    .join('\n');
}

async function shell(page: Page): Promise<{ banner: string; footer: string }> {
  return {
    banner: normalise(await page.getByRole('banner').ariaSnapshot()),
    footer: normalise(await page.getByRole('contentinfo').ariaSnapshot()),
  };
}

for (const lang of LANGS) {
  test.describe(lang, () => {
    test.use({ locale: LOCALES[lang] });
    test.beforeEach(async ({ context }) => useLanguage(context, lang));

    test('the header, navigation and footer are the same on every page', async ({ page }) => {
      test.setTimeout(60_000);
      await PAGES[0].open(page);
      const reference = await shell(page);
      // The help route (the feedback form) is reachable from the footer of every page.
      await expect(page.getByRole('contentinfo').locator('a[href="/feedback"]')).toHaveCount(1);

      for (const pageCase of PAGES.slice(1)) {
        await pageCase.open(page);
        const current = await shell(page);
        expect(current.banner, `header on ${pageCase.name}`).toBe(reference.banner);
        expect(current.footer, `footer on ${pageCase.name}`).toBe(reference.footer);
        await expect(
          page.getByRole('contentinfo').locator('a[href="/feedback"]'),
          `help link in the footer of ${pageCase.name}`,
        ).toHaveCount(1);
      }
    });
  });
}
