// WCAG 1.4.11 Non-text Contrast for form controls: the border that shows where a text field, select,
// textarea, radio or checkbox is has at least 3:1 contrast with the background around it. (axe checks text
// contrast, not this.)

import { expect, test } from '@playwright/test';

import { LANGS, LOCALES, PAGES, useLanguage } from '../fixtures/pages';

for (const lang of LANGS) {
  test.describe(lang, () => {
    test.use({ locale: LOCALES[lang] });
    test.beforeEach(async ({ context }) => useLanguage(context, lang));

    for (const pageCase of PAGES.filter((p) => ['feedback', 'feedback-errors', 'components', 'demo-reader'].includes(p.name))) {
      test(`form controls on ${pageCase.name}`, async ({ page }) => {
        await pageCase.open(page);
        const result = await page.evaluate(() => {
          type Rgba = [number, number, number, number];
          const parse = (color: string): Rgba => {
            const m = color.match(/rgba?\(([^)]+)\)/);
            if (!m) return [0, 0, 0, 0];
            const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
            return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
          };
          const luminance = ([r, g, b]: Rgba) => {
            const lin = (c: number) => {
              const s = c / 255;
              return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
          };
          const ratio = (a: Rgba, b: Rgba) => {
            const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
            return (l1 + 0.05) / (l2 + 0.05);
          };
          // The colour behind an element: the first opaque background among its ancestors (white at the top).
          const backdrop = (el: Element | null): Rgba => {
            for (let node = el; node; node = node.parentElement) {
              const bg = parse(getComputedStyle(node).backgroundColor);
              if (bg[3] >= 0.99) return bg;
            }
            return [255, 255, 255, 1];
          };
          const checked: string[] = [];
          const failures: string[] = [];
          const check = (label: string, style: CSSStyleDeclaration, around: Element | null) => {
            const width = parseFloat(style.borderTopWidth);
            if (!(width > 0) || style.borderTopStyle === 'none') {
              failures.push(`${label}: no visible border`);
              return;
            }
            const border = parse(style.borderTopColor);
            const r = ratio(border, backdrop(around));
            checked.push(label);
            if (r < 3) failures.push(`${label}: border ${style.borderTopColor} has ${r.toFixed(2)}:1 (needs 3:1)`);
          };
          const name = (el: Element) => `<${el.tagName.toLowerCase()}#${el.id}>`;
          for (const el of Array.from(
            document.querySelectorAll<HTMLElement>('main input:not([type="hidden"]):not([type="radio"]):not([type="checkbox"]), main select, main textarea'),
          )) {
            if (el.getBoundingClientRect().width === 0) continue;
            check(name(el), getComputedStyle(el), el.parentElement);
          }
          // Radios and checkboxes: the native input is usually hidden and drawn by its label's ::before.
          for (const el of Array.from(document.querySelectorAll<HTMLInputElement>('main input[type="radio"], main input[type="checkbox"]'))) {
            const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
            const before = label ? getComputedStyle(label, '::before') : null;
            if (before && before.content !== 'none' && parseFloat(before.borderTopWidth) > 0) {
              check(`${name(el)} (label::before)`, before, label);
            } else if (getComputedStyle(el).opacity !== '0') {
              checked.push(`${name(el)} (native)`); // the browser's own control
            } else {
              failures.push(`${name(el)}: hidden native control and no drawn box`);
            }
          }
          return { checked, failures };
        });
        expect(result.checked.length, 'the page has form controls').toBeGreaterThan(0);
        expect(result.failures).toEqual([]);
      });
    }
  });
}
