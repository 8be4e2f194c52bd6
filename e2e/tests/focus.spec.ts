// WCAG 2.4.7 Focus Visible and 2.4.11 Focus Not Obscured (Minimum), by walking every page with Tab:
// each element that takes focus must look different focused than unfocused (compared pixel by pixel around
// it), and must not be hidden under other content (a sticky header, a banner). The same walk shows that Tab
// gets through the whole page (2.1.2 No Keyboard Trap) and that focus alone never changes the page (3.2.1).

import { expect, test, type Page } from '@playwright/test';

import { describeFocus } from '../fixtures/keyboard';
import { PAGES, type PageCase } from '../fixtures/pages';

const MAX_TAB_STOPS = 200;
const MARGIN = 6; // px around the element: outlines and focus shadows are drawn outside its box

interface Stop {
  description: string;
  clip: { x: number; y: number; width: number; height: number } | null;
  obscuredBy: string | null;
}

async function inspectFocus(page: Page): Promise<Stop & { atEnd: boolean }> {
  const state = await page.evaluate((margin) => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || el === document.documentElement) {
      return { atEnd: true, clip: null, obscuredBy: null };
    }
    el.setAttribute('data-e2e-focus', '');
    const rect = el.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    const x = Math.max(0, Math.floor(rect.left - margin));
    const y = Math.max(0, Math.floor(rect.top - margin));
    const right = Math.min(vw, Math.ceil(rect.right + margin));
    const bottom = Math.min(vh, Math.ceil(rect.bottom + margin));
    const clip = right - x >= 1 && bottom - y >= 1 ? { x, y, width: right - x, height: bottom - y } : null;
    // Not obscured: some point of the element is the topmost thing under it (or belongs to it, e.g. its
    // label text). Checks the centre and points a quarter in from each side.
    let obscuredBy: string | null = null;
    if (rect.width > 0 && rect.height > 0) {
      const points = [
        [0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75],
      ].map(([fx, fy]) => [rect.left + rect.width * fx, rect.top + rect.height * fy]);
      const hits = points
        .filter(([px, py]) => px >= 0 && py >= 0 && px < vw && py < vh)
        .map(([px, py]) => document.elementFromPoint(px, py));
      const visible = hits.some(
        (hit) => !!hit && (hit === el || el.contains(hit) || hit.contains(el) ||
          (el.id !== '' && hit.closest(`label[for="${CSS.escape(el.id)}"]`) !== null)),
      );
      if (!visible) {
        const hit = hits.find((h) => !!h);
        obscuredBy = hit ? `<${hit.tagName.toLowerCase()}${hit.id ? `#${hit.id}` : ''}${hit.getAttribute('class') ? `.${hit.getAttribute('class')?.trim().split(/\s+/).join('.')}` : ''}>` : 'off screen';
      }
    } else {
      obscuredBy = 'no size';
    }
    return { atEnd: false, clip, obscuredBy };
  }, MARGIN);
  const description = state.atEnd ? '<body>' : await describeFocus(page);
  return { ...state, description };
}

async function walk(page: Page, pageCase: PageCase): Promise<void> {
  await pageCase.open(page);
  // Start from the top of a settled page, as after a fresh load.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);

  const startUrl = page.url();
  const noIndicator: string[] = [];
  const obscured: string[] = [];
  let stops = 0;
  for (; stops < MAX_TAB_STOPS; stops++) {
    await page.keyboard.press('Tab');
    const stop = await inspectFocus(page);
    if (stop.atEnd) break;
    if (stop.obscuredBy) obscured.push(`${stop.description} — covered by ${stop.obscuredBy}`);

    if (stop.clip) {
      const focused = await page.screenshot({ clip: stop.clip, animations: 'disabled', caret: 'hide' });
      // Blur without moving (blur does not scroll), look again, then put focus back so Tab carries on.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const unfocused = await page.screenshot({ clip: stop.clip, animations: 'disabled', caret: 'hide' });
      await page.evaluate(() => {
        const el = document.querySelector<HTMLElement>('[data-e2e-focus]');
        el?.removeAttribute('data-e2e-focus');
        el?.focus({ preventScroll: true });
      });
      if (focused.equals(unfocused)) noIndicator.push(stop.description);
    } else {
      noIndicator.push(`${stop.description} (off screen when focused)`);
    }
    // The focus stops are the page's own: leaving the document ends the walk.
    if (await page.evaluate(() => document.activeElement === document.body)) break;
  }
  expect(stops, 'the page has focusable elements').toBeGreaterThan(0);
  expect(stops, 'Tab reaches the end of the page (no keyboard trap, WCAG 2.1.2)').toBeLessThan(MAX_TAB_STOPS);
  expect(page.url(), 'moving focus never changes the page (WCAG 3.2.1)').toBe(startUrl);
  expect(noIndicator, 'elements without a visible focus indicator (WCAG 2.4.7)').toEqual([]);
  expect(obscured, 'focused elements hidden by other content (WCAG 2.4.11)').toEqual([]);
}

test.describe('focus visible and not obscured', () => {
  for (const pageCase of PAGES.filter((p) => p.walk !== false)) {
    test(`${pageCase.name} (desktop)`, async ({ page }) => {
      test.setTimeout(60_000);
      await walk(page, pageCase);
    });
  }
  test.describe('narrow screen', () => {
    test.use({ viewport: { width: 320, height: 640 } });
    for (const pageCase of PAGES.filter((p) => ['home', 'feedback-errors', 'components', 'sign-in'].includes(p.name))) {
      test(`${pageCase.name} (320px)`, async ({ page }) => {
        test.setTimeout(60_000);
        await walk(page, pageCase);
      });
    }
  });
});
