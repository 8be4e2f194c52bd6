// WCAG 1.4.12 Text Spacing: with line height 1.5, paragraph spacing 2em, letter spacing 0.12em and word
// spacing 0.16em (the user style sheet of the WCAG test), no text is cut off and nothing scrolls sideways.

import { expect, test } from '@playwright/test';

import { LANGS, LOCALES, PAGES, useLanguage } from '../fixtures/pages';

const TEXT_SPACING = `
  * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
  p { margin-bottom: 2em !important; }
`;

// A user style sheet is not subject to the page's Content-Security-Policy; adding a <style> element is.
test.use({ bypassCSP: true });

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 320, height: 640 },
]) {
  test.describe(`${viewport.width}px`, () => {
    test.use({ viewport });

    for (const lang of LANGS) {
      test.describe(lang, () => {
        test.use({ locale: LOCALES[lang] });
        test.beforeEach(async ({ context }) => useLanguage(context, lang));

        for (const pageCase of PAGES.filter((p) => p.walk !== false)) {
          test(pageCase.name, async ({ page }) => {
            await pageCase.open(page);
            await page.addStyleTag({ content: TEXT_SPACING });
            const h1 = page.locator('h1');
            expect(
              await h1.evaluate((el) => getComputedStyle(el).wordSpacing),
              'the text-spacing style sheet applies',
            ).not.toBe('0px');
            const problems = await page.evaluate(() => {
              const found: string[] = [];
              const describe = (el: Element) =>
                `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('class') ? `.${el.getAttribute('class')?.trim().split(/\s+/).join('.')}` : ''}> "${(el.textContent ?? '').trim().slice(0, 30)}"`;
              for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
                const style = getComputedStyle(el);
                if (style.display === 'none' || style.visibility === 'hidden') continue;
                if (!(el.textContent ?? '').trim()) continue;
                const rect = el.getBoundingClientRect();
                if (rect.width <= 2 || rect.height <= 2) continue; // visually hidden text
                const clipsX = ['hidden', 'clip'].includes(style.overflowX);
                const clipsY = ['hidden', 'clip'].includes(style.overflowY);
                if (clipsX && el.scrollWidth > el.clientWidth + 1) found.push(`${describe(el)} cut off sideways`);
                if (clipsY && el.scrollHeight > el.clientHeight + 1) found.push(`${describe(el)} cut off at the bottom`);
                if (/ellipsis/.test(style.textOverflow) && el.scrollWidth > el.clientWidth + 1) {
                  found.push(`${describe(el)} truncated with an ellipsis`);
                }
              }
              if (document.documentElement.scrollWidth > document.documentElement.clientWidth) {
                found.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px wide)`);
              }
              return found;
            });
            expect(problems, 'text cut off or overflowing with increased text spacing').toEqual([]);
          });
        }
      });
    }
  });
}
