import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { staffReady } from "./support";
import { readFileSync } from "node:fs";

// The leaders' dashboard (监测): a leader watches the county; a complaint is closed by the
// county office in another browser; the KPI and its chart change within a second with no
// reload. Filters live in the URL and survive a reload; a township drills down; the tables
// export; big-screen mode renders at 1920×1080.

test("a leader's dashboard updates live when a complaint is closed elsewhere, and keeps its filters in the URL", { tag: "@desktop" }, async ({ page, browser }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  const run = Date.now().toString(36);

  // The county office enters a complaint and accepts it (no registered business: mediation).
  const officeCtx = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const office = await officeCtx.newPage();
  await staffReady(office, test.info(), "county_office", "341721");
  await office.goto("/complaints/new");
  await waitForHydration(office);
  await office.locator('select[name="channel"]').selectOption("in_person");
  await office.locator('input[name="name"]').fill("孙丽");
  await office.locator('input[name="phone"]').fill("13955661234");
  await office.locator('input[name="unit_name"]').fill(`东至县看板测试商店 ${run}`);
  await office.locator('select[name="township"]').selectOption("341721100");
  await office.locator('select[name="industry"]').selectOption("retail");
  await office.locator('textarea[name="summary"]').fill("买到的电饭煲不能加热，要求退货");
  await office.getByTestId("entry-save").click();
  await expect(office).toHaveURL(/\/complaints\/case\/\d+/);
  await office.getByTestId("case-accept").click();
  await expect(office.getByTestId("case-close-form")).toBeVisible();

  // The leader opens the dashboard and waits for the live connection.
  await staffReady(page, test.info(), "leader", "341721");
  await page.getByRole("link", { name: "监测" }).first().click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await waitForHydration(page);
  await expect(page.getByTestId("live")).toHaveAttribute("data-state", "on");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("东至县");
  const closed = page.getByTestId("kpi-closed-value");
  const before = parseInt((await closed.innerText()).replace(/,/g, ""), 10);
  const chart = page.getByTestId("chart-trend");
  await expect(chart.locator("svg title").first()).toContainText("三率月度走势");
  const chartBefore = await chart.innerHTML();
  await page.evaluate(() => ((window as any).__noReload = true));

  // Closed in the other browser: the leader's KPI and chart follow within a second.
  await office.locator('select[name="outcome"]').selectOption("agreement");
  await office.locator('input[name="recovered"]').fill("399");
  await office.getByTestId("case-close").click();
  await expect(office.getByTestId("case-facts")).toContainText("达成调解协议");
  await expect(closed).toHaveText((before + 1).toLocaleString("en-US"), { timeout: 1000 });
  await expect.poll(() => chart.innerHTML(), { timeout: 1000 }).not.toBe(chartBefore);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // Filters live in the URL and survive a reload.
  await page.getByTestId("dashboard-filters").locator('select[name="industry"]').selectOption("retail");
  await page.getByTestId("dashboard-filters").getByRole("button", { name: "查看" }).click();
  await expect(page).toHaveURL(/industry=retail/);
  const filtered = await page.getByTestId("kpi-accepted-value").innerText();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("dashboard-filters").locator('select[name="industry"]')).toHaveValue("retail");
  await expect(page.getByTestId("kpi-accepted-value")).toHaveText(filtered);
  await expect(page.getByTestId("table-industries").locator("tbody tr")).toHaveCount(1);

  // Drill down: county → township, with the township's units (the ranking's table sits
  // behind the chart's 数据表 toggle).
  await page.getByTestId("panel-ranking").locator("summary").click();
  await page.getByTestId("table-ranking").getByRole("link", { name: "尧渡镇" }).click();
  await expect(page).toHaveURL(/area=341721100/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("尧渡镇");
  await expect(page.getByTestId("table-units")).toBeVisible();
  await expect(page.locator(".crumbs a")).toHaveText(["东至县", "尧渡镇"]);

  // Exports, clicked as a person would: every table as xlsx, each table as CSV and xlsx,
  // a chart as SVG. Each click downloads a file (the client router must not take it).
  const download = async (link: import("@playwright/test").Locator) => {
    const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
    return readFileSync((await file.path())!);
  };
  expect((await download(page.getByTestId("export-all"))).subarray(0, 2).toString()).toBe("PK");
  const trend = page.getByTestId("panel-trend");
  await trend.locator("summary").click();
  const csv = (await download(trend.getByTestId("export-table-csv"))).toString("utf8");
  expect(csv).toContain("受理月份,受理,办结,处理率,处理成功率,满意率");
  expect((await download(trend.getByTestId("export-table-xlsx"))).subarray(0, 2).toString()).toBe("PK");
  const svg = (await download(trend.getByRole("link", { name: "下载图表 (SVG)" }))).toString("utf8");
  expect(svg).toContain("<title");
  await expect(page).toHaveURL(/area=341721100/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("尧渡镇");

  // Big-screen mode at 1920×1080, dark, with the KPI tiles and rotating charts.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto("/dashboard/wall");
  await waitForHydration(page);
  await expect(page.getByTestId("wall")).toBeVisible();
  await expect(page.getByTestId("wall").getByTestId("kpi-handling-value")).toHaveText(/%|—/);
  await expect(page.getByTestId("wall-trend")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("wall-1920x1080.png") });
  expect(errors).toEqual([]);
  await officeCtx.close();
});

test("the dashboard is for staff: a consumer is sent to sign in, and exports refuse strangers", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
  const res = await page.request.get("/dashboard/export/all.xlsx", { maxRedirects: 0 });
  expect([302, 303, 401]).toContain(res.status());
});
