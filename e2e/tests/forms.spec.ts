// Forms: WCAG 3.3.7 Redundant Entry (what was typed survives a failed submission), 3.2.2 On Input (choosing
// an option changes nothing else), 3.3.1/3.3.3 (each error is tied to its field and says what to do).

import { expect, test } from '@playwright/test';

import { LANGS, LOCALES, submitButton, useLanguage } from '../fixtures/pages';

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
    test.use({ javaScriptEnabled });

    for (const lang of LANGS) {
      test.describe(lang, () => {
        test.use({ locale: LOCALES[lang] });
        test.beforeEach(async ({ context }) => useLanguage(context, lang));

        test('choosing options does not change the page', async ({ page }) => {
          await page.goto('/feedback');
          const url = page.url();
          const title = await page.title();
          await page.locator('#topic').check();
          await page.locator('#area').selectOption({ index: 1 });
          await page.locator('#reply').check();
          await page.locator('#message').fill('テスト');
          expect(page.url()).toBe(url);
          expect(await page.title()).toBe(title);
          await expect(page.locator('#topic')).toBeChecked();
        });

        test('a failed submission keeps what was typed', async ({ page }) => {
          await page.goto('/feedback');
          const message = '入力した内容が残ることを確認します。 Checking that my text is kept.';
          // Leave the topic out, so the form comes back with an error.
          await page.locator('#message').fill(message);
          await page.locator('#area').selectOption({ index: 2 });
          await page.locator('#reply').check();
          await page.locator('#email').fill('taro@example.jp');
          await page.locator('#name').fill('山田 太郎');
          await submitButton(page).click();
          await expect(page).toHaveTitle(/^(エラー[:：]|Error:)/);

          await expect(page.locator('#message')).toHaveValue(message);
          await expect(page.locator('#area')).not.toHaveValue('');
          await expect(page.locator('#reply')).toBeChecked();
          await expect(page.locator('#email')).toHaveValue('taro@example.jp');
          await expect(page.locator('#name')).toHaveValue('山田 太郎');

          // Only the missing topic is reported, and the summary points at it.
          const summaryLinks = page.locator('main [role="alert"] a[href^="#"]');
          await expect(summaryLinks).toHaveCount(1);
          await expect(summaryLinks).toHaveAttribute('href', '#topic');
        });

        test('each error message is tied to its field', async ({ page }) => {
          await page.goto('/feedback');
          await submitButton(page).click();
          await expect(page).toHaveTitle(/^(エラー[:：]|Error:)/);
          const links = page.locator('main [role="alert"] a[href^="#"]');
          const count = await links.count();
          expect(count).toBeGreaterThan(0);
          for (let i = 0; i < count; i++) {
            const link = links.nth(i);
            const id = ((await link.getAttribute('href')) ?? '').slice(1);
            const field = page.locator(`[id="${id}"]`);
            await expect(field, `summary link #${id} has a target`).toHaveCount(1);
            // The message is read with the field: aria-describedby on the field or its fieldset.
            const description = await field.evaluate((el) => {
              const holder = el.closest('fieldset[aria-describedby]') ?? el;
              const ids = [
                ...(el.getAttribute('aria-describedby') ?? '').split(/\s+/),
                ...(holder.getAttribute('aria-describedby') ?? '').split(/\s+/),
              ].filter(Boolean);
              return ids.map((ref) => document.getElementById(ref)?.textContent ?? '').join(' ');
            });
            const summaryText = ((await link.textContent()) ?? '').trim();
            expect(description, `the error for #${id} is announced with the field`).toContain(summaryText);
          }
        });
      });
    }
  });
}
