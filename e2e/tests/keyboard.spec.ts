// Keyboard-only use: the skip link, and the feedback journey (success and errors) with Tab, arrows, Space
// and Enter, with JavaScript on and off, in both languages.

import { expect, test } from '@playwright/test';

import { describeFocus, focusMatches, tabTo } from '../fixtures/keyboard';
import { LANGS, LOCALES, useLanguage } from '../fixtures/pages';

const SUBMIT = 'main form[method="post"] button[type="submit"], main form[method="post"] button:not([type])';

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
    test.use({ javaScriptEnabled });

    for (const lang of LANGS) {
      test.describe(lang, () => {
        test.use({ locale: LOCALES[lang] });
        test.beforeEach(async ({ context }) => useLanguage(context, lang));

        for (const path of ['/', '/feedback', '/components']) {
          test(`skip link on ${path}`, async ({ page }) => {
            await page.goto(path);
            await page.keyboard.press('Tab');
            const skip = page.locator('a[href="#main-content"]').first();
            await expect(skip, 'the first Tab focuses the skip link').toBeFocused();

            const box = await skip.boundingBox();
            const viewport = page.viewportSize();
            expect(box, 'the focused skip link is rendered').not.toBeNull();
            if (box && viewport) {
              expect(box.width, 'skip link width').toBeGreaterThan(1);
              expect(box.height, 'skip link height').toBeGreaterThan(1);
              expect(box.x).toBeGreaterThanOrEqual(0);
              expect(box.y).toBeGreaterThanOrEqual(0);
              expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
              expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
            }
            await expect(skip).toBeVisible();

            await page.keyboard.press('Enter');
            await expect(page.locator('main#main-content')).toHaveCount(1);
            if (javaScriptEnabled) {
              await expect(page.locator('#main-content'), 'the skip link moves focus to <main>').toBeFocused();
            } else {
              await expect.poll(() => page.evaluate(() => location.hash)).toBe('#main-content');
            }
            // Either way the next Tab continues inside <main>, past the header.
            await page.keyboard.press('Tab');
            expect(
              await page.evaluate(() => document.getElementById('main-content')?.contains(document.activeElement)),
              `after the skip link, Tab lands in <main> (focus: ${await describeFocus(page)})`,
            ).toBe(true);
          });
        }

        test('feedback journey by keyboard', async ({ page }) => {
          await page.goto('/feedback');

          // Into the radio group: Space chooses the focused option, an arrow moves to (and chooses) the next.
          await tabTo(page, 'input[type="radio"][name="topic"]');
          expect(await focusMatches(page, '#topic'), 'Tab enters the group at its first radio').toBe(true);
          await page.keyboard.press('Space');
          await expect(page.locator('#topic')).toBeChecked();
          await page.keyboard.press('ArrowDown');
          const chosen = page.locator('input[type="radio"][name="topic"]:checked');
          await expect(chosen).toHaveCount(1);
          await expect(chosen).toBeFocused();
          await expect(page.locator('#topic'), 'the arrow moved the choice on').not.toBeChecked();

          await tabTo(page, '#message');
          await page.keyboard.type('キーボードだけで送信しました。 Sent with the keyboard only.');
          await expect(page.locator('#message')).toHaveValue(/Sent with the keyboard only/);

          await tabTo(page, SUBMIT);
          await page.keyboard.press('Enter');
          await page.waitForURL(/\/feedback\/sent\?ref=/);
          await expect(page.locator('h1')).toHaveCount(1);
          const reference = new URL(page.url()).searchParams.get('ref') ?? '';
          expect(reference).toMatch(/^FB-/);
          await expect(page.locator('main'), 'the confirmation shows the reference').toContainText(reference);
          await expect(
            page.locator('main [role="alert"], main [role="region"], main [role="status"]').first(),
            'a success banner',
          ).toBeVisible();
        });

        test('feedback errors by keyboard', async ({ page }) => {
          await page.goto('/feedback');
          await tabTo(page, SUBMIT);
          await page.keyboard.press('Enter');
          await expect(page).toHaveTitle(/^(エラー[:：]|Error:)/);

          const alert = page.locator('main [role="alert"]').first();
          await expect(alert, 'an error summary').toBeVisible();
          const firstLink = alert.locator('a[href^="#"]').first();
          await expect(firstLink).toBeVisible();
          const target = ((await firstLink.getAttribute('href')) ?? '').slice(1);
          expect(target).not.toBe('');

          if (javaScriptEnabled) {
            // The summary takes focus on load, so screen readers announce it and the next Tab reaches its links.
            await expect
              .poll(
                () =>
                  page.evaluate(() => {
                    const active = document.activeElement;
                    const summary = document.querySelector('main [role="alert"]');
                    return !!active && !!summary && active !== document.body &&
                      (active.contains(summary) || summary.contains(active));
                  }),
                { message: 'the error summary has focus after the page loads' },
              )
              .toBe(true);
            await page.keyboard.press('Tab');
            await expect(firstLink, 'Tab goes from the summary to its first link').toBeFocused();
          } else {
            await tabTo(page, 'main [role="alert"] a[href^="#"]');
            await expect(firstLink).toBeFocused();
          }

          await page.keyboard.press('Enter');
          const field = page.locator(`[id="${target}"]`);
          await expect(field).toHaveCount(1);
          if (javaScriptEnabled) {
            await expect(field, 'following the summary link focuses the field').toBeFocused();
          } else {
            await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#${target}`);
            await expect(field).toBeInViewport();
          }
          // The field says what is wrong, and that message is tied to it.
          const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
          const fieldset = field.locator('xpath=ancestor::fieldset[1]');
          const groupDescribedBy =
            (await fieldset.count()) > 0 ? ((await fieldset.getAttribute('aria-describedby')) ?? '') : '';
          expect(
            `${describedBy} ${groupDescribedBy}`,
            'the field (or its fieldset) is described by its error message',
          ).toMatch(/\S+-error\b/);
        });
      });
    }
  });
}
