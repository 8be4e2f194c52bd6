// WCAG 3.2.3 Consistent Navigation, 3.2.4 Consistent Identification and 3.2.6 Consistent Help: the header,
// navigation and footer (with its help link) are the same, in the same order, on every page.

import { expect, test, type Page } from '@playwright/test';

import { LANGS, LOCALES, PAGES, useLanguage } from '../fixtures/pages';
import { DEMO_CARDS, workerCardFor } from '../fixtures/sign-in';

// Signed-out pages and signed-in pages each share one header (signed in, it names the citizen and has a
// sign-out button instead of the sign-in link); the footer is the same on all of them.
const SIGNED_OUT = PAGES.filter((p) => !p.signedIn);
const SIGNED_IN = PAGES.filter((p) => p.signedIn);

// Signed-in pages are reached with the worker's card or, for pages that need data, with a copy of a demo
// card (fixtures/own-data.ts): the header names whoever is signed in.
const CITIZEN_NAMES = [workerCardFor(0).name, ...Object.values(DEMO_CARDS).map((card) => card.name)];

// The parts of the shell that may differ from page to page: link targets (the language switch returns to the
// current page), which navigation item is marked current, and the signed-in citizen's name.
function normalise(snapshot: string): string {
  return snapshot
    .split('\n')
    .filter((line) => !/^\s*- \/url:/.test(line))
    .map((line) => line.replace(/ \[current\]/, ''))
    .map((line) => CITIZEN_NAMES.reduce((text, name) => text.replaceAll(name, '<citizen>'), line))
    // Each citizen has their own unread count; the link itself must be on every page.
    .map((line) => line.replace(/(お知らせ（未読 |Notices \()\d+/, '$1<n>'))
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
      await SIGNED_OUT[0].open(page);
      const reference = await shell(page);
      // The help route (the feedback form) is reachable from the footer of every page.
      await expect(page.getByRole('contentinfo').locator('a[href="/feedback"]')).toHaveCount(1);

      for (const pageCase of SIGNED_OUT.slice(1)) {
        await pageCase.open(page);
        const current = await shell(page);
        expect(current.banner, `header on ${pageCase.name}`).toBe(reference.banner);
        expect(current.footer, `footer on ${pageCase.name}`).toBe(reference.footer);
        await expect(
          page.getByRole('contentinfo').locator('a[href="/feedback"]'),
          `help link in the footer of ${pageCase.name}`,
        ).toHaveCount(1);
      }

      // Signed in: one header on every page, and the same footer as signed out.
      const signedInShell: { banner: string; name: string }[] = [];
      for (const pageCase of SIGNED_IN) {
        await pageCase.open(page);
        const current = await shell(page);
        expect(current.footer, `footer on ${pageCase.name}`).toBe(reference.footer);
        signedInShell.push({ banner: current.banner, name: pageCase.name });
      }
      expect(signedInShell.length, 'signed-in pages to compare').toBeGreaterThan(1);
      for (const { banner, name } of signedInShell.slice(1)) {
        expect(banner, `header on ${name}`).toBe(signedInShell[0].banner);
      }
      const signInLink = page.getByRole('banner').locator('a[href="/sign-in"]');
      await expect(signInLink, 'no sign-in link when signed in').toHaveCount(0);
      await expect(page.getByRole('banner').locator('form[action="/sign-out"] button')).toHaveCount(1);
    });
  });
}
