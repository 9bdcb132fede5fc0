import { test, expect, Page } from "@playwright/test";
import { axeFindings, waitForHydration, watchConsole } from "./helpers";
import { staffReady } from "./support";
import { registerApplicant, startApplication } from "./wizard-steps";

// WCAG 2.1 AA on every page a signed-in person works on, in both languages: axe-core
// (with the accessible-name rule that must contain the visible text, WCAG 2.5.3) finds no
// violation, and no page logs a console error. Detail pages are reached through the links
// their lists show, with the ids the demo county has.

async function axeBoth(page: Page, path: string, found: string[]) {
  for (const lang of ["zh-CN", "en"]) {
    await page.context().addCookies([{ name: "fx_lang", value: lang, url: page.url() }]);
    const res = await page.goto(path);
    expect(res?.status(), `${path} answers`).toBeLessThan(400);
    await waitForHydration(page);
    await expect(page.locator("html")).toHaveAttribute("lang", lang);
    found.push(...(await axeFindings(page, `${path} (${lang})`)));
  }
  await page.context().addCookies([{ name: "fx_lang", value: "zh-CN", url: page.url() }]);
}

/** The first link in `list` on `path` whose address matches `pattern`. */
async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string | null> {
  await page.goto(path);
  const hrefs = await page.locator("main a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.find((h) => pattern.test(h)) ?? null;
}

/** Every path in `paths` (null: a list that had no link) checked in both languages. */
function visitor(page: Page, found: string[]) {
  return async (paths: (string | null)[]) => {
    for (const p of paths) if (p) await axeBoth(page, p, found);
  };
}

// Staff work at a desk (the county office, the panel, township reviewers at the town
// hall); applicants on their phones. Each group's pages are checked at its own width,
// which also keeps the browser suite's minutes for the journeys.
test("axe finds no WCAG 2.1 AA violation on any staff page, in Chinese or English", { tag: "@desktop" }, async ({ page }) => {
  test.setTimeout(480_000);
  const errors = watchConsole(page);
  const found: string[] = [];
  const visit = visitor(page, found);
  const asRole = async (role: string, area: string) => {
    await page.context().clearCookies();
    await staffReady(page, test.info(), role, area);
  };

  await asRole("township_reviewer", "341721100");
  await visit([
    "/review",
    await firstLink(page, "/review", /^\/review\/\d+$/),
    "/organisations",
    "/organisations/1",
    "/complaints",
    await firstLink(page, "/complaints", /^\/complaints\/case\/\d+$/),
    "/dashboard",
    "/inbox",
    "/account",
  ]);

  await asRole("county_office", "341721");
  await visit([
    "/dashboard",
    "/dashboard/wall",
    "/batches",
    await firstLink(page, "/batches", /^\/indicators\/edit\?batch=\d+$/),
    "/panel",
    "/panel?category=association",
    "/notices",
    await firstLink(page, "/notices", /^\/notices\/\d+$/),
    "/recognitions",
    "/complaints",
    "/complaints/new",
    "/complaints/import",
    "/inbox",
  ]);

  await asRole("panel_member", "341721");
  await visit(["/scoring"]);
  await asRole("leader", "341721");
  await visit(["/dashboard?area=341721100"]);
  await asRole("system_admin", "341721");
  await visit(["/admin/users"]);
  await asRole("security_admin", "341721");
  await visit(["/security"]);
  await asRole("audit_admin", "341721");
  await visit(["/audit"]);

  expect(found).toEqual([]);
  expect(errors).toEqual([]);
});

test("axe finds no WCAG 2.1 AA violation on any applicant page, through every wizard step, in Chinese or English", { tag: "@phone" }, async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchConsole(page);
  const found: string[] = [];
  const visit = visitor(page, found);
  await page.context().clearCookies();
  await registerApplicant(page.context(), "unit", `东至县无障碍测试商店${Date.now() % 100000}`);
  await startApplication(page);
  const base = page.url().replace(/\/identity$/, "");
  await visit([
    "/apply",
    ...["identity", "facts", "pledge", "declaration", "evidence", "self-assessment", "review"].map((s) => `${base}/${s}`),
    "/desk",
    "/inbox",
    "/account",
  ]);

  expect(found).toEqual([]);
  expect(errors).toEqual([]);
});
