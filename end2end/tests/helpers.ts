import { expect, Page } from "@playwright/test";

/**
 * Collects console errors and uncaught exceptions; a page must produce none.
 * Chromium also logs every 4xx answer as "Failed to load resource"; a form the server
 * refuses with 422 (invalid input) or 401 (wrong password) is expected behaviour, so
 * those lines are ignored. A 5xx is never ignored.
 */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) return;
    errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/**
 * The app marks <body data-hydrated> once the WASM has taken over the page. A public
 * portal page shown to a visitor who is not signed in is served without the WASM
 * (<body data-static>): it is complete as served, and there is nothing to wait for.
 */
export async function waitForHydration(page: Page) {
  if (await page.locator("body[data-static]").count()) return;
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  // Forms with client behaviour (autosave, uploads) are wired a moment after the body
  // is marked, once their part of the page has hydrated.
  await expect(page.locator("form[data-client]:not([data-live])")).toHaveCount(0, { timeout: 15_000 });
}
