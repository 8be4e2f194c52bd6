// Card sign-in journeys, by keyboard alone, with JavaScript on and off: the cross-device flow (the card app
// answers the code shown on the page), the demo card reader (and a wrong PIN), a challenge that another
// browser tries to collect, signing out, and the idle time-out warning. The pages themselves (sign-in,
// failures, my page, signed out, warning) go through axe and ARIA snapshots in pages.spec.ts; states only
// reached by a journey are checked here.
//
// Cards: fixtures/sign-in.ts says which test uses which card, so that no card is used by two tests at once
// and only one test ever types a wrong PIN.

import { expect, test, type Page } from '@playwright/test';

import { expectNoAxeViolations } from '../fixtures/a11y';
import { focusMatches, tabTo } from '../fixtures/keyboard';
import { ERROR_TITLE, LOCALES, useLanguage, visit, type Lang } from '../fixtures/pages';
import {
  DEMO_CARDS,
  answerWithCard,
  journeyCard,
  readCode,
  signInQuickly,
  workerCard,
  type TestCard,
} from '../fixtures/sign-in';

const CONTINUE = 'main form[action="/sign-in/continue"] button[type="submit"]';
const DEMO_LINK = 'main a[href^="/sign-in/demo-reader?code="]';

/** マイページ, signed in as `name`: the greeting and the header say so. */
async function expectMyPage(page: Page, name: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/my-page');
  await expect(page.locator('h1')).toHaveText(/マイページ|My page/);
  await expect(page.locator('main')).toContainText(name);
  await expect(page.getByRole('banner')).toContainText(name);
  const signInLink = page.getByRole('banner').locator('a[href="/sign-in"]');
  await expect(signInLink, 'no sign-in link once signed in').toHaveCount(0);
}

function inLanguage(lang: Lang): void {
  test.use({ locale: LOCALES[lang] });
  test.beforeEach(async ({ context }) => useLanguage(context, lang));
}

test.describe('cross-device sign-in by keyboard', () => {
  inLanguage('ja');

  test.describe('JavaScript on', () => {
    test.use({ javaScriptEnabled: true });

    test('the page moves on by itself once the card app has answered', async ({ page }) => {
      const card = journeyCard('cross-device-js');
      await visit(page, '/sign-in');
      const code = await readCode(page);
      // Nothing has answered yet: the page waits (the status region is polite, not an alert).
      await expect(page.getByRole('status')).toHaveText(/待っています/);
      answerWithCard(code, card);
      // The page's script asks every 2 seconds, then posts the continue form by itself.
      await page.waitForURL((url) => url.pathname === '/my-page', { timeout: 10_000 });
      await expectMyPage(page, card.name);
    });
  });

  test.describe('JavaScript off', () => {
    test.use({ javaScriptEnabled: false });

    test('"continue" too early keeps waiting; after the card, it leads to マイページ', async ({ page }) => {
      const card = journeyCard('cross-device-nojs');
      await visit(page, '/sign-in');
      const code = await readCode(page);

      // Too early: the same code again, with a banner saying the card has not answered yet.
      await tabTo(page, CONTINUE);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/sign-in/continue');
      await expect(page.locator('main [role="region"]').first()).toContainText('カードからの応答');
      expect(await readCode(page), 'still the same code').toBe(code);
      await expect(page).not.toHaveTitle(ERROR_TITLE.ja);
      await expect(page.locator('h1')).toHaveCount(1);
      await expectNoAxeViolations(page, { javaScriptEnabled: false });
      await expect(page.locator('main')).toMatchAriaSnapshot({ name: 'sign-in-still-waiting-ja.aria.yml' });

      answerWithCard(code, card);
      await tabTo(page, CONTINUE);
      await page.keyboard.press('Enter');
      await expectMyPage(page, card.name);
    });
  });
});

test.describe('demo card reader by keyboard', () => {
  inLanguage('ja');

  /** From the sign-in page, Tab to the demo reader link and follow it with Enter. */
  async function openReaderByKeyboard(page: Page): Promise<string> {
    await visit(page, '/sign-in');
    const code = await readCode(page);
    await tabTo(page, DEMO_LINK);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/sign-in/demo-reader');
    expect(new URL(page.url()).searchParams.get('code'), 'the reader gets the page’s code').toBe(code);
    // Tab enters the card group at its first radio; none is chosen yet.
    await tabTo(page, 'input[type="radio"][name="card"]');
    expect(await focusMatches(page, '#card'), 'Tab enters the group at its first card').toBe(true);
    return code;
  }

  for (const javaScriptEnabled of [true, false]) {
    test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
      test.use({ javaScriptEnabled });
      // One demo card per journey, so the two never write the same card file at once.
      const card = javaScriptEnabled ? DEMO_CARDS.hanako : DEMO_CARDS.taro;

      test(`choose ${card.id}, type its PIN, Enter → マイページ`, async ({ page }) => {
        await openReaderByKeyboard(page);
        if (card.id === 'demo-1') {
          await page.keyboard.press('Space'); // chooses the focused (first) card
        } else {
          await page.keyboard.press('ArrowDown'); // moves to the second card and chooses it
        }
        await expect(page.locator(`input[name="card"][value="${card.id}"]`)).toBeChecked();
        await tabTo(page, '#pin', 5);
        await page.keyboard.type(card.pin);
        await page.keyboard.press('Enter');
        await expectMyPage(page, card.name);
      });
    });
  }

  test.describe('JavaScript on', () => {
    test.use({ javaScriptEnabled: true });

    // demo-3 is used here only, and only once: its PIN counter (3 tries) lives in its file for the whole run.
    test('a wrong PIN: error summary focused, error at the PIN field, tries left', async ({ page }) => {
      const card = DEMO_CARDS.ichiro;
      await openReaderByKeyboard(page);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await expect(page.locator(`input[name="card"][value="${card.id}"]`)).toBeChecked();
      await tabTo(page, '#pin', 5);
      await page.keyboard.type('0000');
      await page.keyboard.press('Enter');

      await expect(page).toHaveTitle(ERROR_TITLE.ja);
      const summary = page.locator('main [data-module="error-summary"]');
      await expect(summary, 'the error summary takes focus').toBeFocused();
      const error = page.locator('#pin-error');
      await expect(error, 'the error is at the PIN field, with the tries left').toContainText('あと2回');
      await expect(page.locator('#pin')).toHaveAttribute('aria-describedby', /\bpin-error\b/);
      await expect(page.locator('#pin'), 'the wrong PIN is not kept').toHaveValue('');
      await expect(page.locator(`input[name="card"][value="${card.id}"]`), 'the card is still chosen').toBeChecked();
      await expect(page.locator('h1')).toHaveCount(1);
      await expectNoAxeViolations(page);
      await expect(page.locator('main')).toMatchAriaSnapshot({ name: 'demo-reader-wrong-pin-ja.aria.yml' });

      // The summary's link leads to the field.
      await page.keyboard.press('Tab');
      await expect(summary.locator('a[href="#pin"]')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.locator('#pin')).toBeFocused();
    });
  });
});

test.describe('demo card reader, nothing chosen (no card is used)', () => {
  inLanguage('en');
  test.use({ javaScriptEnabled: false });

  test('errors for the card and the PIN, each tied to its field', async ({ page }) => {
    await visit(page, '/sign-in');
    await page.locator(DEMO_LINK).click();
    await page.waitForURL((url) => url.pathname === '/sign-in/demo-reader');
    await page.locator('#pin').fill('12');
    await page.locator('main form button[type="submit"]').click();
    await expect(page).toHaveTitle(ERROR_TITLE.en);
    const links = page.locator('main [role="alert"] a[href^="#"]');
    await expect(links).toHaveCount(2);
    await expect(links.nth(0)).toHaveAttribute('href', '#card');
    await expect(links.nth(1)).toHaveAttribute('href', '#pin');
    await expect(page.locator('#pin')).toHaveAttribute('aria-describedby', /\bpin-error\b/);
    // A PIN is not sent back to the browser (WCAG 3.3.7 allows this for security).
    await expect(page.locator('#pin')).toHaveValue('');
    await expect(page.locator('fieldset')).toHaveAttribute('aria-describedby', /\bcard-error\b/);
    await expectNoAxeViolations(page, { javaScriptEnabled: false });
    await expect(page.locator('main')).toMatchAriaSnapshot({ name: 'demo-reader-errors-en.aria.yml' });
  });
});

test.describe('a challenge belongs to the browser that opened it', () => {
  inLanguage('ja');

  test('browser B cannot collect browser A’s sign-in; A still can', async ({ browser }) => {
    const card: TestCard = workerCard();
    // A without JavaScript, so that it does not collect the sign-in by itself before B tries.
    const contextA = await browser.newContext({ locale: LOCALES.ja, javaScriptEnabled: false });
    const contextB = await browser.newContext({ locale: LOCALES.ja });
    try {
      const pageA = await contextA.newPage();
      await visit(pageA, '/sign-in');
      const codeA = await readCode(pageA);
      answerWithCard(codeA, card);

      // B opens the sign-in page (its own challenge, CSRF cookie and browser cookie)…
      const pageB = await contextB.newPage();
      await visit(pageB, '/sign-in');
      expect(await readCode(pageB)).not.toBe(codeA);
      // …its status poll is refused for A's code…
      const status = await pageB.request.get(`/sign-in/status?code=${codeA}`, { maxRetries: 2 });
      expect(await status.json()).toEqual({ state: 'failed', next: '/sign-in/failed?reason=other_browser' });
      // …and so is its continue form, sent with A's code.
      await pageB
        .locator('main form[action="/sign-in/continue"] input[name="code"]')
        .evaluate((input, code) => ((input as HTMLInputElement).value = code), codeA);
      await pageB.locator(CONTINUE).click();
      await pageB.waitForURL((url) => url.pathname === '/sign-in/failed');
      expect(new URL(pageB.url()).searchParams.get('reason')).toBe('other_browser');
      await expect(pageB).toHaveTitle(ERROR_TITLE.ja);
      expect((await contextB.cookies()).some((c) => c.name === 'session'), 'B got no session').toBe(false);
      await pageB.goto('/my-page');
      expect(new URL(pageB.url()).pathname, 'B is not signed in').toBe('/sign-in');

      // A collects its sign-in.
      await tabTo(pageA, CONTINUE);
      await pageA.keyboard.press('Enter');
      await expectMyPage(pageA, card.name);
    } finally {
      await contextA.close();
      await contextB.close();
    }
  });
});

test.describe('signing out by keyboard', () => {
  inLanguage('ja');

  for (const javaScriptEnabled of [true, false]) {
    test.describe(javaScriptEnabled ? 'JavaScript on' : 'JavaScript off', () => {
      test.use({ javaScriptEnabled });
      // The header's button with JavaScript, the one on マイページ without: both are plain forms.
      const button = javaScriptEnabled
        ? 'header form[action="/sign-out"] button'
        : 'main form[action="/sign-out"] button';

      const where = javaScriptEnabled ? 'header' : 'マイページ';
      test(`${where} button → signed out; マイページ then asks to sign in`, async ({ page, context }) => {
        await signInQuickly(page);
        await visit(page, '/my-page');
        await tabTo(page, button);
        await page.keyboard.press('Enter');
        await page.waitForURL((url) => url.pathname === '/signed-out' && url.search === '');
        const banner = page.locator('main [data-module="notification-banner"]');
        await expect(banner).toHaveAttribute('role', 'alert');
        if (javaScriptEnabled) await expect(banner, 'the banner takes focus').toBeFocused();
        await expect(page.getByRole('banner').locator('a[href="/sign-in"]')).toHaveCount(1);
        const cookies = await context.cookies();
        expect(cookies.some((c) => c.name === 'session'), 'the session cookie is gone').toBe(false);

        await page.goto('/my-page');
        expect(new URL(page.url()).pathname).toBe('/sign-in');
      });
    });
  }

  test('signing out everywhere ends the other sessions too', async ({ browser }) => {
    const one = await browser.newContext({ locale: LOCALES.ja });
    const other = await browser.newContext({ locale: LOCALES.ja });
    try {
      const page = await one.newPage();
      const otherPage = await other.newPage();
      await signInQuickly(page);
      await signInQuickly(otherPage);
      await visit(otherPage, '/my-page');
      await visit(page, '/my-page');
      await tabTo(page, 'main form[action="/sign-out/everywhere"] button');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/signed-out' && url.searchParams.has('everywhere'));
      await otherPage.goto('/my-page');
      expect(new URL(otherPage.url()).pathname, 'the other browser is signed out').toBe('/sign-in');
    } finally {
      await one.close();
      await other.close();
    }
  });
});

test.describe('idle time-out warning (WCAG 2.2.1)', () => {
  inLanguage('ja');

  test.describe('JavaScript off', () => {
    test.use({ javaScriptEnabled: false });

    test('a refresh leads to the warning before the hour is up; "stay signed in"', async ({ page, browser }) => {
      await signInQuickly(page);
      await visit(page, '/my-page');
      // With scripting off, the <noscript> in <head> is parsed, and its refresh applies.
      const refresh = page.locator('head noscript meta[http-equiv="refresh"]');
      await expect(refresh).toHaveCount(1);
      const content = (await refresh.getAttribute('content')) ?? '';
      const match = content.match(/^(\d+);url=(\S+)$/);
      expect(match, `refresh content "${content}"`).not.toBeNull();
      const seconds = Number(match?.[1]);
      expect(match?.[2]).toBe('/session/warning');
      // 1 hour idle time-out, warned 5 minutes before: 3300 seconds (less the time the page took).
      expect(seconds).toBeGreaterThanOrEqual(3240);
      expect(seconds).toBeLessThanOrEqual(3300);

      // Where the refresh leads: the warning, which does not extend the session by itself.
      await visit(page, '/session/warning');
      await expect(page.locator('main')).toContainText(/あと\d+分/);
      await tabTo(page, 'main form[action="/session/extend"] button');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/my-page');
      await expect(page.locator('h1')).toHaveText('マイページ');

      // Once the session has ended, the warning page says so.
      const signedOut = await browser.newContext({ locale: LOCALES.ja, javaScriptEnabled: false });
      try {
        const late = await signedOut.newPage();
        await late.goto('/session/warning');
        const url = new URL(late.url());
        expect(url.pathname + url.search).toBe('/signed-out?timeout=1');
      } finally {
        await signedOut.close();
      }
    });
  });

  test.describe('JavaScript on', () => {
    test.use({ javaScriptEnabled: true });

    test('no refresh (the dialog does it), and the warning page still works', async ({ page }) => {
      await signInQuickly(page);
      await visit(page, '/my-page');
      // With scripting on, <noscript> content is inert text: no refresh element exists.
      await expect(page.locator('head meta[http-equiv="refresh"]')).toHaveCount(0);
      const dialog = page.locator('dialog#session-dialog');
      await expect(dialog).toHaveCount(1);
      await expect(dialog, 'the warning dialog is closed until it is due').not.toBeVisible();
      const idle = Number(await page.locator('body').getAttribute('data-idle-seconds'));
      const warn = Number(await page.locator('body').getAttribute('data-warn-seconds'));
      expect(idle - warn).toBeGreaterThanOrEqual(3240);
      expect(idle - warn).toBeLessThanOrEqual(3300);

      await visit(page, '/session/warning');
      await tabTo(page, 'main form[action="/session/extend"] button');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/my-page');
    });
  });
});
