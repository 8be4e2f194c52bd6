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

  // Is `href` a path on this site? The status answer's `next` is followed only then (no open redirect).
  const isSameOrigin = (href) => {
    if (typeof href !== "string" || href === "") {
      return false;
    }
    try {
      return new URL(href, window.location.href).origin === window.location.origin;
    } catch {
      return false;
    }
  };

  // Sign-in waiting state: ask the server every 2 seconds whether the card has answered
  // ({"state": "pending" | "done" | "failed", "next": url}), and move on by itself when it has: to `next`
  // when given, otherwise by posting the "continue" form (which carries the CSRF token). The status region
  // (role="status") says what is happening; polling stops when the code expires. Without this, the
  // "continue" button does the same.
  const POLL_MS = 2000;
  const initSignInStatus = (region) => {
    const url = region.dataset.statusUrl;
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    const seconds = Number.parseInt(region.dataset.expiresInSeconds || "", 10);
    const expiresAt = Date.now() + (Number.isFinite(seconds) ? seconds : 300) * 1000;
    const container = region.closest(".sign-in__waiting");
    const continueForm = container ? container.querySelector("form") : null;
    const say = (key) => {
      const text = region.dataset[key];
      if (text && region.textContent !== text) {
        region.textContent = text;
      }
    };

    const poll = async () => {
      if (Date.now() >= expiresAt) {
        say("i18nExpired");
        return;
      }
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.ok) {
          const status = await response.json();
          if (status && (status.state === "done" || status.state === "failed")) {
            say(status.state === "done" ? "i18nDone" : "i18nFailed");
            if (isSameOrigin(status.next)) {
              window.location.assign(status.next);
            } else if (continueForm) {
              continueForm.submit();
            }
            return;
          }
        }
      } catch {
        // A network hiccup or a malformed answer: ask again at the next tick.
      }
      window.setTimeout(poll, POLL_MS);
    };
    window.setTimeout(poll, POLL_MS);
  };

  // A console job's progress: with JavaScript the page asks for `{state, done, total}` every two seconds
  // and updates the bar and its text in place (without, a <noscript> meta refresh reloads the page). Screen
  // readers hear the progress now and then, not at every tick; once finished the page is loaded again to
  // show what the job came to.
  const ANNOUNCE_EVERY_MS = 15000;
  const initJobProgress = (region) => {
    const url = region.dataset.statusUrl;
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    const bar = region.querySelector("progress");
    const text = region.querySelector(".job-progress__text");
    const status = region.querySelector(".job-progress__status");
    let lastAnnounced = Date.now();
    const wording = (done, total) =>
      (region.dataset.i18nProgress || "")
        .replace("{done}", done.toLocaleString())
        .replace("{total}", total.toLocaleString());

    const poll = async () => {
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.ok) {
          const job = await response.json();
          if (job && job.state !== "queued" && job.state !== "running") {
            if (status && region.dataset.i18nFinished) {
              status.textContent = region.dataset.i18nFinished;
            }
            window.location.reload();
            return;
          }
          if (job && Number.isFinite(job.done) && Number.isFinite(job.total)) {
            const words = wording(job.done, job.total);
            if (bar) {
              bar.max = Math.max(job.total, 1);
              bar.value = job.done;
              bar.textContent = words;
            }
            if (text && text.textContent !== words) {
              text.textContent = words;
            }
            if (status && Date.now() - lastAnnounced >= ANNOUNCE_EVERY_MS) {
              status.textContent = words;
              lastAnnounced = Date.now();
            }
          }
        }
      } catch {
        // A network hiccup or a malformed answer: ask again at the next tick.
      }
      window.setTimeout(poll, POLL_MS);
    };
    window.setTimeout(poll, POLL_MS);
  };

  // "2 minutes" / "30 seconds", worded from the element's data-i18n-* catalog texts the same way as the
  // server's Shell::duration_text (minutes, rounded up, from one minute up; seconds below).
  const durationText = (element, seconds) => {
    const [key, count] = seconds >= 60 ? ["i18nMinutes", Math.ceil(seconds / 60)] : ["i18nSeconds", seconds];
    const text = (count === 1 && element.dataset[`${key}One`]) || element.dataset[key] || "";
    return text.replace("{count}", String(count));
  };
  const countdownText = (element, seconds) =>
    (element.dataset.i18nCountdown || "").replace("{time}", durationText(element, seconds));

  // Where to go once the session has ended: the warning page, which the server answers with the
  // "signed out" page (the same place the no-JavaScript meta refresh leads).
  const SESSION_WARNING_URL = "/session/warning";

  // Idle time-out warning (WCAG 2.2.1) on signed-in pages: shortly before the session ends, a modal
  // <dialog> (labelled by its heading, focus moved into it) offers to stay signed in or sign out. Staying
  // (the button, or Escape) posts to /session/extend in the background and restarts the timers; if that
  // fails, the form is posted for real so the server can answer. The <noscript> meta refresh in <head>
  // does this job without JavaScript and is inert with it.
  const initSessionTimeout = () => {
    const body = document.body;
    const idle = Number.parseInt(body.dataset.idleSeconds || "", 10);
    const warn = Number.parseInt(body.dataset.warnSeconds || "", 10);
    const dialog = document.querySelector('[data-module="session-dialog"]');
    if (!Number.isFinite(idle) || !Number.isFinite(warn) || !dialog || typeof dialog.showModal !== "function") {
      return;
    }
    const extendForm = dialog.querySelector("form[data-session-extend]");
    const stayButton = extendForm ? extendForm.querySelector("button") : null;
    const countdown = dialog.querySelector(".session-dialog__countdown");
    const live = dialog.querySelector(".session-dialog__status");

    let deadline = 0;
    let timer = 0;
    let ticker = 0;
    let spoken = "";
    let leaving = false;

    const secondsLeft = () => Math.max(0, Math.ceil((deadline - Date.now()) / 1000));

    const expire = () => {
      leaving = true;
      window.clearTimeout(timer);
      window.clearInterval(ticker);
      window.location.assign(SESSION_WARNING_URL);
    };

    // The visible countdown follows the clock (it is not a live region); screen readers hear the time left
    // when its minute changes, then at 45, 30 and 15 seconds.
    const update = () => {
      const left = secondsLeft();
      if (left <= 0) {
        expire();
        return;
      }
      if (countdown) {
        countdown.textContent = countdownText(dialog, left);
      }
      const coarse = left > 60 ? left : Math.ceil(left / 15) * 15;
      const text = countdownText(dialog, coarse);
      if (live && text !== spoken) {
        // The first text is already read out with the dialog (aria-describedby); announce only changes.
        if (spoken !== "") {
          live.textContent = text;
        }
        spoken = text;
      }
    };

    const open = () => {
      if (dialog.open || leaving) {
        return;
      }
      spoken = "";
      if (live) {
        live.textContent = "";
      }
      update();
      dialog.showModal();
      if (stayButton) {
        stayButton.focus();
      }
      window.clearInterval(ticker);
      ticker = window.setInterval(update, 1000);
    };

    // Re-check against the clock: timers in background tabs fire late, never early.
    const check = () => {
      window.clearTimeout(timer);
      const left = secondsLeft();
      if (left <= 0) {
        expire();
      } else if (left <= warn) {
        open();
      } else {
        timer = window.setTimeout(check, (left - warn) * 1000);
      }
    };

    const schedule = (seconds) => {
      deadline = Date.now() + seconds * 1000;
      check();
    };

    const extend = async () => {
      window.clearInterval(ticker);
      if (!extendForm || leaving) {
        return;
      }
      try {
        const response = await fetch(extendForm.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(extendForm)),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) {
          throw new Error(`session extend answered ${response.status}`);
        }
        // Scripts get 204 (or JSON); a redirect means the session could not be extended (it has ended, for
        // instance), so go where the server sent us.
        if (response.redirected && isSameOrigin(response.url)) {
          leaving = true;
          window.location.assign(response.url);
          return;
        }
        let seconds = idle;
        if ((response.headers.get("Content-Type") || "").includes("application/json")) {
          const answer = await response.json();
          if (answer && Number.isFinite(answer.idle_seconds_left)) {
            seconds = answer.idle_seconds_left;
          }
        }
        schedule(seconds);
      } catch {
        leaving = true;
        extendForm.submit();
      }
    };

    // Every way of closing the dialog except signing out (the stay button, Escape) means "stay signed in".
    // The browser returns focus to where it was before the dialog opened.
    dialog.addEventListener("close", () => {
      extend();
    });
    if (extendForm) {
      extendForm.addEventListener("submit", (event) => {
        event.preventDefault();
        dialog.close();
      });
    }
    dialog.querySelectorAll("form:not([data-session-extend])").forEach((form) => {
      form.addEventListener("submit", () => {
        leaving = true;
      });
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !leaving) {
        if (dialog.open) {
          update();
        } else {
          check();
        }
      }
    });

    schedule(idle);
  };

  // The warning page itself: keep its "you will be signed out in …" current, and once the session has
  // ended go to the warning page again, which the server answers with the "signed out" page.
  const initSessionExpiry = (element) => {
    const seconds = Number.parseInt(element.dataset.reloadAfter || "", 10);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      return;
    }
    const reloadAt = Date.now() + seconds * 1000;
    // The session ends 2 seconds before the reload (the server adds that margin).
    const endsAt = reloadAt - 2000;
    const tick = () => {
      const now = Date.now();
      if (now >= reloadAt) {
        window.location.assign(SESSION_WARNING_URL);
        return;
      }
      const left = Math.max(0, Math.ceil((endsAt - now) / 1000));
      if (element.dataset.i18nCountdown && left > 0) {
        const text = countdownText(element, left);
        if (element.textContent !== text) {
          element.textContent = text;
        }
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  };

  const init = () => {
    document.querySelectorAll('[data-module="skip-link"]').forEach(initSkipLink);
    document.querySelectorAll('[data-module="character-count"]').forEach(initCharacterCount);
    document.querySelectorAll('[data-module="notification-banner"]').forEach(initNotificationBanner);
    // Last, so the error summary wins focus if a page ever has both.
    document.querySelectorAll('[data-module="error-summary"]').forEach(initErrorSummary);
    initPreventDoubleClick();
    document.querySelectorAll('[data-module="sign-in-status"]').forEach(initSignInStatus);
    document.querySelectorAll('[data-module="session-expiry"]').forEach(initSessionExpiry);
    document.querySelectorAll('[data-module="job-progress"]').forEach(initJobProgress);
    initSessionTimeout();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
