import { test, expect } from "@playwright/test";
import { waitForHydration } from "./helpers";
import { staffReady } from "./support";

// Township reviewers and county staff also open the platform on their phones in the
// field: no page they work on may be wider than a 390 px screen (a wide table scrolls
// inside its own frame). Found: the 12315 import page was 566 px wide, because a
// visually hidden table header escaped its scrolling frame.
test("no staff page is wider than a 390 px phone", { tag: "@phone" }, async ({ page }) => {
  test.setTimeout(180_000);
  const tooWide: string[] = [];
  const check = async (path: string) => {
    await page.goto(path);
    await waitForHydration(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) tooWide.push(`${path}: ${width} px`);
  };

  await staffReady(page, test.info(), "county_office", "341721");
  for (const path of [
    "/dashboard",
    "/batches",
    "/panel",
    "/notices",
    "/recognitions",
    "/complaints",
    "/complaints/new",
    "/complaints/import",
    "/inbox",
    "/account",
  ]) {
    await check(path);
  }
  await page.context().clearCookies();
  await staffReady(page, test.info(), "township_reviewer", "341721100");
  for (const path of ["/review", "/organisations", "/complaints"]) {
    await check(path);
  }
  expect(tooWide).toEqual([]);
});
