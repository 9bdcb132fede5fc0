import { test, expect, Page } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";

test("anyone can read the indicators of each category before applying", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.locator('[data-category="street"]').getByRole("link", { name: "查看评价指标" }).click();
  await expect(page).toHaveURL(/\/indicators\?category=street$/);
  await expect(page.getByTestId("indicators-summary")).toContainText("基本分 100 分，加分最多 15 分，80 分及以上");
  const table = page.getByTestId("indicators-table");
  await expect(table).toContainText("街区运营管理机构健全");
  await expect(table.locator(".indicator--veto")).toHaveCount(3);
  await page.getByRole("link", { name: "放心消费示范乡村（社区）" }).click();
  await expect(page.getByTestId("indicators-table")).toContainText("村（居）委会明确放心消费创建责任人");
  expect(errors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the indicators page is complete server-rendered HTML", async ({ page }) => {
    await page.goto("/indicators?category=association");
    await expect(page.getByTestId("indicators-table")).toContainText("行业自律公约");
    await page.getByTestId("lang-switch").click();
    await expect(page.getByTestId("indicators-table")).toContainText("Self-discipline rules");
  });
});

// ---- The directory of recognised units (示范单位名录) ----------------------------------

/** The names listed on the directory page now open. */
async function listed(page: Page): Promise<string[]> {
  return page.getByTestId("directory-unit").locator(".app-list__link > span:first-child").allInnerTexts();
}

test("anyone finds a recognised unit by name, township, category and industry, page by page", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("link", { name: "示范名录" }).first().click();
  await expect(page).toHaveURL(/\/units$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("示范单位名录");
  // More than one page of valid plaques: 20 a page, and a pager.
  await expect(page.getByTestId("directory-unit")).toHaveCount(20);
  await page.getByTestId("directory-pager").getByRole("link", { name: "下一页" }).click();
  await expect(page).toHaveURL(/\/units\?page=2$/);
  await expect(page.getByTestId("directory-pager").locator("[aria-current=page]")).toHaveText("2");
  expect((await listed(page)).length).toBeGreaterThan(0);

  // Search by part of a name.
  await page.goto("/units");
  await page.getByTestId("directory-search").fill("菜");
  await page.getByTestId("directory-submit").click();
  await expect(page).toHaveURL(/q=%E8%8F%9C/);
  let names = await listed(page);
  expect(names).toEqual(expect.arrayContaining(["老徽州菜馆", "菊香农家菜"]));
  for (const n of names) expect(n).toContain("菜");

  // Filters: township, then category, then industry; each narrows the list.
  await page.goto("/units");
  await page.getByTestId("directory-township").selectOption({ label: "东流镇" });
  await page.getByTestId("directory-submit").click();
  names = await listed(page);
  expect(names).toEqual(expect.arrayContaining(["菊香农家菜", "惠家超市", "东流古镇", "菊江村"]));
  expect(names).not.toContain("老徽州菜馆");
  for (const meta of await page.getByTestId("directory-unit").locator(".app-list__meta").first().allInnerTexts()) {
    expect(meta).toContain("东流镇");
  }
  await page.getByTestId("directory-category").selectOption("unit");
  await page.getByTestId("directory-submit").click();
  names = await listed(page);
  expect(names).toEqual(expect.arrayContaining(["菊香农家菜", "惠家超市"]));
  expect(names).not.toContain("东流古镇");
  await page.getByTestId("directory-industry").selectOption("catering");
  await page.getByTestId("directory-submit").click();
  expect(await listed(page)).toEqual(["菊香农家菜"]);
  await expect(page.getByTestId("directory-count")).toHaveText("共 1 家");
  // The filters keep what was chosen.
  await expect(page.getByTestId("directory-township")).toHaveValue("341721101");
  await expect(page.getByTestId("directory-industry")).toHaveValue("catering");

  // Nothing found: a clear message, not an empty page.
  await page.goto("/units?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E5%AE%B6");
  await expect(page.getByTestId("directory-empty")).toContainText("没有符合条件的示范单位");

  // Revoked plaques are left out unless asked for, and then marked.
  await page.goto("/units?q=%E9%91%AB%E6%BA%90%E8%B6%85%E5%B8%82");
  await expect(page.getByTestId("directory-empty")).toBeVisible();
  await page.getByLabel("含已过期、已撤销").check();
  await page.getByTestId("directory-submit").click();
  await expect(page.getByTestId("directory-unit").first()).toContainText("已撤销");
  expect(errors).toEqual([]);
});

test("a unit's page shows its status, commitments, complaint figures, a complaint button and its QR code", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/units?q=%E8%80%81%E5%BE%BD%E5%B7%9E");
  await waitForHydration(page);
  await page.getByRole("link", { name: /老徽州菜馆/ }).click();
  await expect(page).toHaveURL(/\/units\/\d+$/);
  await expect(page.getByTestId("unit-name")).toContainText("老徽州菜馆");
  await expect(page.getByTestId("unit-status")).toHaveAttribute("data-status", "valid");
  await expect(page).toHaveTitle(/老徽州菜馆/);
  const facts = page.getByTestId("unit-facts");
  await expect(facts).toContainText("东至县尧渡镇老徽州菜馆");
  await expect(facts).toContainText("尧渡镇 人民路15号");
  await expect(facts).toContainText("餐饮住宿");
  const commitments = page.getByTestId("unit-commitments");
  await expect(commitments).toContainText("落实线下无理由退货");
  await expect(commitments).toContainText("落实赔偿先付");
  await expect(page.getByTestId("unit-complaints")).toContainText("近 12 个月投诉处理情况");
  await expect(page.getByTestId("unit-handling")).toHaveText(/^(\d+\.\d%|—)$/);
  await expect(page.getByTestId("unit-qr").locator("svg")).toBeVisible();
  // The canonical address and the preview card name this page.
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  expect(canonical).toMatch(/\/units\/\d+$/);
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", /老徽州菜馆/);

  // The complaint button names this unit on the form.
  await page.getByTestId("unit-complain").click();
  await expect(page).toHaveURL(/\/complain\?unit=[0-9a-f]{32}$/);
  await expect(page.getByTestId("complain-unit")).toContainText("东至县尧渡镇老徽州菜馆");
  // One list of industries: the form already holds the unit's, named as on its page.
  const industry = page.getByLabel("行业");
  await expect(industry).toHaveValue("catering");
  await expect(industry.locator("option:checked")).toHaveText("餐饮住宿");
  expect(errors).toEqual([]);
});

test("the QR code of a valid plaque verifies it; a revoked plaque's page and QR code warn unmistakably", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/units?q=%E7%99%BE%E4%BD%B3");
  await page.getByRole("link", { name: /百佳超市/ }).click();
  const verify = await page.getByTestId("unit-verify-link").getAttribute("href");
  expect(verify).toMatch(/^\/verify\/[0-9a-f]{32}$/);
  await page.goto(verify!);
  await expect(page.getByTestId("verify-status")).toHaveAttribute("data-status", "valid");
  await expect(page.getByTestId("verify-name")).toHaveText("东至县尧渡镇百佳超市有限公司");

  await page.goto("/units?q=%E9%91%AB%E6%BA%90%E8%B6%85%E5%B8%82&ended=1");
  await page.getByTestId("directory-unit").first().getByRole("link").click();
  await expect(page.getByTestId("unit-status")).toHaveAttribute("data-status", "revoked");
  await expect(page.getByTestId("unit-revoked")).toContainText("示范称号已撤销");
  await expect(page.getByTestId("unit-revoked")).toContainText("复查发现销售过期食品");
  await page.getByTestId("unit-verify-link").click();
  await expect(page.getByTestId("verify-status")).toHaveAttribute("data-status", "revoked");
  await expect(page.getByTestId("verify-status")).toContainText("牌匾不再有效");
  expect(errors).toEqual([]);
});

test("anyone objects to an applicant on a running notice, in their own name", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/notice");
  await page.getByRole("link", { name: /第二批/ }).first().click();
  await expect(page.getByTestId("notice-countdown")).toContainText("个工作日后公示期满");
  const form = page.getByTestId("objection-form");
  await form.getByLabel("姓名").fill("赵六");
  await form.getByLabel("联系方式（电话或邮箱）").fill("13905660000");
  await form.getByLabel("事实和理由").fill("该酒店宴席收费未明码标价，结账金额与报价不符。");
  await page.getByTestId("file-objection").click();
  await expect(page.getByTestId("objection-note")).toContainText("异议已收到");
  expect(errors).toEqual([]);
});

test.describe("the directory without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("filters and pages are plain links and a GET form", async ({ page }) => {
    await page.goto("/units");
    await page.getByTestId("directory-category").selectOption("village");
    await page.getByTestId("directory-submit").click();
    await expect(page).toHaveURL(/category=village/);
    expect(await listed(page)).toEqual(expect.arrayContaining(["菊江村", "汪村", "城东社区"]));
    await page.getByRole("link", { name: /菊江村/ }).click();
    await expect(page.getByTestId("unit-name")).toContainText("菊江村");
  });
});

test("a sitemap lists the public pages, and robots.txt points to it", async ({ request }) => {
  const robots = await request.get("/robots.txt");
  expect(await robots.text()).toMatch(/Sitemap: http:\/\/[^/]+\/sitemap\.xml/);
  const sitemap = await request.get("/sitemap.xml");
  expect(sitemap.headers()["content-type"]).toContain("application/xml");
  const xml = await sitemap.text();
  for (const p of ["/units", "/notice", "/revocations", "/indicators?category=street"]) {
    expect(xml).toContain(`${p}</loc>`);
  }
  expect(xml).toMatch(/\/units\/\d+<\/loc>/);
});
