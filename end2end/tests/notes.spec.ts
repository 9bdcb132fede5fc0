import { test, expect, Page } from "@playwright/test";
import { axeFindings, waitForHydration, watchConsole } from "./helpers";
import { staffReady } from "./support";

// A plain form post answers with a redirect carrying its outcome (`?done=` or `?error=`),
// and the page says it in the reader's language: green for done, red for a refusal. An
// unknown code (a hand-edited address) gets the page's general text, never markup.

type Case = { path: string; ok: boolean; zh: string; en: string; testid: string };

async function shows(page: Page, c: Case, found: string[]) {
  for (const lang of ["zh-CN", "en"] as const) {
    await page.context().addCookies([{ name: "fx_lang", value: lang, url: page.url() }]);
    const res = await page.goto(c.path);
    expect(res?.status(), `${c.path} answers`).toBeLessThan(400);
    await waitForHydration(page);
    const note = page.getByTestId(c.testid);
    await expect(note).toContainText(lang === "en" ? c.en : c.zh);
    await expect(note).toHaveClass(c.ok ? /alert--ok/ : /alert--error/);
    found.push(...(await axeFindings(page, `${c.path} (${lang})`)));
    const name = c.path.replace(/[^a-z0-9]+/gi, "_").slice(0, 60);
    await page.screenshot({ path: test.info().outputPath(`${name}-${lang}.png`), fullPage: true });
  }
  await page.context().addCookies([{ name: "fx_lang", value: "zh-CN", url: page.url() }]);
}

test("the public forms' outcomes read in the reader's language", async ({ page }) => {
  const errors = watchConsole(page);
  const found: string[] = [];
  await page.goto("/");
  for (const c of [
    { path: "/complain?error=phone", ok: false, zh: "手机号码", en: "11-digit mobile", testid: "complain-note" },
    { path: "/complain?error=%3Cb%3Ex%3C/b%3E", ok: false, zh: "提交未完成", en: "did not go through", testid: "complain-note" },
    { path: "/track?error=code", ok: false, zh: "查询码不正确", en: "not a tracking code", testid: "track-note" },
  ]) {
    await shows(page, c, found);
  }
  await expect(page.locator("main b")).toHaveCount(0);
  expect(found, found.join("\n")).toEqual([]);
  expect(errors).toEqual([]);
});

test("the county office's pages show done in green and refusals in red", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const found: string[] = [];
  await staffReady(page, test.info(), "county_office", "341721");
  for (const c of [
    { path: "/panel?category=unit&done=members", ok: true, zh: "评审组已更新", en: "panel is updated", testid: "panel-done" },
    // Before notes were typed, a refused panel step showed in a green box.
    { path: "/panel?category=unit&error=state", ok: false, zh: "操作未完成", en: "did not go through", testid: "panel-done" },
    { path: "/complaints?done=settings", ok: true, zh: "预警阈值已保存", en: "Thresholds saved", testid: "complaints-note" },
    { path: "/complaints/import?error=format", ok: false, zh: "只能导入 CSV", en: "Only CSV (UTF-8 or GBK)", testid: "import-note" },
    { path: "/notices?done=ok.settings", ok: true, zh: "公示设置已保存", en: "Notice settings saved", testid: "notice-note" },
    { path: "/recognitions?done=ok.planned.3", ok: true, zh: "已安排 3 家单位复查", en: "Planned 3 re-inspections", testid: "register-note" },
  ]) {
    await shows(page, c, found);
  }
  expect(found, found.join("\n")).toEqual([]);
  expect(errors).toEqual([]);
});
