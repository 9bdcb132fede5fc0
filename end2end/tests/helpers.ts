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

/**
 * A step that cannot be undone asks first (forms::ConfirmSubmit): the visible button only
 * opens the question, and its acting button is not reachable before that.
 */
export async function confirmStep(scope: Page | import("@playwright/test").Locator, testid: string) {
  const act = scope.getByTestId(testid);
  await expect(act).toBeHidden();
  await scope.getByTestId(`${testid}-ask`).click();
  await expect(act).toBeVisible();
  await act.click();
}

/** WCAG 2.1 A/AA violations on the page as shown, one line each (none: an empty list). The
 *  rule that the accessible name contains the visible text (WCAG 2.5.3) is on too. */
export async function axeFindings(page: Page, label: string): Promise<string[]> {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .options({ rules: { "label-content-name-mismatch": { enabled: true } } })
    .analyze();
  return result.violations.map(
    (v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
  );
}
