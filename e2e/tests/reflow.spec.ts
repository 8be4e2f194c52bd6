// WCAG 1.4.10 Reflow: at 320 CSS pixels wide (1280 px at 400 % zoom) no page scrolls sideways.

import { expect, test } from '@playwright/test';

import { LANGS, LOCALES, PAGES, useLanguage } from '../fixtures/pages';

test.use({ viewport: { width: 320, height: 640 } });

for (const lang of LANGS) {
  test.describe(lang, () => {
    test.use({ locale: LOCALES[lang] });
    test.beforeEach(async ({ context }) => useLanguage(context, lang));

    for (const pageCase of PAGES) {
      test(`${pageCase.name} reflows at 320px`, async ({ page }) => {
        await pageCase.open(page);
        const { scrollWidth, overflowing } = await page.evaluate(() => {
          const limit = document.documentElement.clientWidth;
          const overflowing: string[] = [];
          for (const el of Array.from(document.body.querySelectorAll('*'))) {
            const rect = el.getBoundingClientRect();
            if (rect.width > 0 && rect.right > limit + 0.5 && overflowing.length < 10) {
              const id = el.id ? `#${el.id}` : '';
              const cls = el.getAttribute('class') ? `.${el.getAttribute('class')?.trim().split(/\s+/).join('.')}` : '';
              overflowing.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(rect.right)}px)`);
            }
          }
          return { scrollWidth: document.documentElement.scrollWidth, overflowing };
        });
        expect(
          scrollWidth,
          `no horizontal scrolling at 320px; elements past the edge:\n  ${overflowing.join('\n  ')}`,
        ).toBeLessThanOrEqual(320);
      });
    }
  });
}
