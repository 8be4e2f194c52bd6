// Mynaportal: progressive enhancement only. Every page works without this file; each module below
// improves a component that is already usable (ported from GOV.UK Frontend's behaviour).
// Plain ES2020, no dependencies, no inline handlers (CSP allows only 'self' scripts and one nonce).
(() => {
  "use strict";

  // Give `element` focus even if it is not focusable, removing the temporary tabindex on blur so it
  // does not become a tab stop.
  const focusTemporarily = (element, options) => {
    if (!element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
      element.addEventListener("blur", () => element.removeAttribute("tabindex"), { once: true });
    }
    element.focus(options);
  };

  const targetOf = (link) => {
    const id = decodeURIComponent(link.hash.slice(1));
    return id ? document.getElementById(id) : null;
  };

  // Skip link: move focus to <main> so the next Tab continues from the content, not the header.
  const initSkipLink = (link) => {
    link.addEventListener("click", () => {
      const target = targetOf(link);
      if (target) {
        focusTemporarily(target);
      }
    });
  };

  // The label or legend to bring into view when jumping to `input` from the error summary. For a
  // radio or checkbox, the group's legend; for an input in a fieldset (a date), the legend if it fits on
  // screen together with the input; otherwise the input's own label.
  const labelOrLegendFor = (input) => {
    const fieldset = input.closest("fieldset");
    const legend = fieldset ? fieldset.querySelector("legend") : null;
    if (legend) {
      if (input.type === "radio" || input.type === "checkbox") {
        return legend;
      }
      const legendTop = legend.getBoundingClientRect().top;
      const inputRect = input.getBoundingClientRect();
      if (inputRect.height && window.innerHeight && inputRect.bottom - legendTop < window.innerHeight / 2) {
        return legend;
      }
    }
    const label = input.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
    return label || input.closest("label");
  };

  // Error summary: focus it on load (screen readers announce it), and make its links focus the field
  // with its label or legend scrolled into view, instead of only scrolling to the input.
  const initErrorSummary = (summary) => {
    if (summary.dataset.disableAutoFocus !== "true") {
      focusTemporarily(summary);
    }
    summary.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
      const input = link ? targetOf(link) : null;
      if (!input) {
        return;
      }
      const context = labelOrLegendFor(input);
      if (!context) {
        return;
      }
      event.preventDefault();
      context.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  };

  // Success banner (role="alert"): move focus to it on load so keyboard users start from it.
  const initNotificationBanner = (banner) => {
    if (banner.getAttribute("role") === "alert" && banner.dataset.disableAutoFocus !== "true") {
      focusTemporarily(banner);
    }
  };

  // Buttons with data-prevent-double-click: ignore a second press within one second, so a form is not
  // sent twice.
  const pressed = new WeakSet();
  const initPreventDoubleClick = () => {
    document.addEventListener("click", (event) => {
      const button =
        event.target instanceof Element ? event.target.closest('[data-prevent-double-click="true"]') : null;
      if (!button) {
        return;
      }
      if (pressed.has(button)) {
        event.preventDefault();
        return;
      }
      pressed.add(button);
      window.setTimeout(() => pressed.delete(button), 1000);
    });
  };

  // Character count: a visible count that updates as you type, and a visually hidden aria-live status
  // that screen readers announce once typing pauses. The static "up to N characters" hint stays in
  // aria-describedby (only visually hidden), so the limit is still announced when the field is focused.
  const initCharacterCount = (root) => {
    const field = root.querySelector(".character-count__field");
    const max = Number.parseInt(root.dataset.maxlength || "", 10);
    if (!field || !Number.isFinite(max) || max <= 0) {
      return;
    }
    const info = root.querySelector(".character-count__message");
    const hadError = field.classList.contains("textarea--error");

    const visible = document.createElement("div");
    visible.className = "character-count__status";
    visible.setAttribute("aria-hidden", "true");
    const live = document.createElement("div");
    live.className = "character-count__sr-status visually-hidden";
    live.setAttribute("aria-live", "polite");
    (info || field).after(visible, live);
    if (info) {
      info.classList.add("visually-hidden");
    }

    // Count characters the way the server does (Unicode scalar values, line breaks as one).
    const count = () => Array.from(field.value.replace(/\r\n/g, "\n")).length;
    const message = (length) => {
      const left = max - length;
      const n = Math.abs(left);
      const key =
        left < 0 ? (n === 1 ? "i18nOverOne" : "i18nOver") : n === 1 ? "i18nRemainingOne" : "i18nRemaining";
      return (root.dataset[key] || "").replace("{count}", String(n));
    };

    let timer = 0;
    const update = (announce) => {
      const length = count();
      const over = length > max;
      visible.textContent = message(length);
      visible.classList.toggle("character-count__status--error", over);
      field.classList.toggle("textarea--error", over || hadError);
      if (announce) {
        window.clearTimeout(timer);
        timer = window.setTimeout(() => {
          live.textContent = message(count());
        }, 1000);
      }
    };
    field.addEventListener("input", () => update(true));
    update(false);
  };

  const init = () => {
    document.querySelectorAll('[data-module="skip-link"]').forEach(initSkipLink);
    document.querySelectorAll('[data-module="character-count"]').forEach(initCharacterCount);
    document.querySelectorAll('[data-module="notification-banner"]').forEach(initNotificationBanner);
    // Last, so the error summary wins focus if a page ever has both.
    document.querySelectorAll('[data-module="error-summary"]').forEach(initErrorSummary);
    initPreventDoubleClick();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
