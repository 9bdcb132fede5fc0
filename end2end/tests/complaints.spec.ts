import { readFileSync } from "node:fs";
import { test, expect, Page } from "@playwright/test";
import { watchConsole } from "./helpers";
import { staffReady } from "./support";
import { PHONE } from "./wizard-steps";

// Complaints (消费投诉): a consumer files one from a recognised unit's QR page; the unit
// settles it at its handling desk within the ODR clock; the consumer rates it once
// through the one-tap link; the unit's rates change. And the county office imports a
// 12315 export: refused whole with a row report when rows are bad, then imported.

const DEMO_PASSWORD = "Fangxin-Demo-2026";
const RECOGNISED_UNIT = "91341721MA3R7T8U9K"; // 百味餐厅 in the demo data

/** "3 / 4" → [3, 4] */
async function fraction(page: Page, rate: string): Promise<[number, number]> {
  const text = await page.getByTestId(`rate-${rate}`).locator(".tile__note").innerText();
  const [n, d] = text.split("/").map((s) => parseInt(s.trim(), 10));
  return [n, d];
}

function percent([n, d]: [number, number]): string {
  return d === 0 ? "—" : `${((n / d) * 100).toFixed(1)}%`;
}

test("a consumer complains from a plaque's QR page, the unit settles it at its desk, the consumer rates it, and the rates change", { tag: "@phone" }, async ({ page, browser }) => {
  // Walked on the phone project (it changes the demo unit's figures).
  const errors = watchConsole(page);
  const unitCtx = await browser.newContext({ viewport: PHONE, baseURL: test.info().project.use.baseURL });
  const login = await unitCtx.request.post("/api/login", { form: { login: RECOGNISED_UNIT, password: DEMO_PASSWORD } });
  expect(login.status(), await login.text()).toBeLessThan(300);
  const unit = await unitCtx.newPage();
  await unit.goto("/apply");
  const cert = await unit.locator('a[href^="/certificate/"]').first().getAttribute("href");
  const token = cert!.split("/").pop()!;
  await unit.goto("/desk");
  await expect(unit.getByRole("heading", { name: "投诉处理台" })).toBeVisible();
  const handlingBefore = await fraction(unit, "handling");
  const satisfactionBefore = await fraction(unit, "satisfaction");
  await expect(unit.getByTestId("rate-definitions")).toBeHidden();
  await unit.getByTestId("rates").locator("summary").click();
  await expect(unit.getByTestId("rate-definitions")).toContainText("处理率 = 期内受理的投诉中已办结的件数 ÷ 期内受理件数");

  // The consumer scans the plaque and complains about this unit.
  await page.goto(`/verify/${token}`);
  await expect(page.getByTestId("verify-status")).toHaveAttribute("data-status", "valid");
  await page.getByTestId("complain-here").click();
  await expect(page).toHaveURL(new RegExp(`/complain\\?unit=${token}$`));
  await expect(page.getByTestId("complain-unit")).toContainText("百味餐厅");
  const summary = `点的红烧鱼不新鲜，要求退款 ${Date.now().toString(36)}`;
  await page.getByLabel("行业").selectOption("catering");
  await page.getByLabel("您的姓名").fill("钱多多");
  await page.getByLabel("手机号码").fill("1395566");
  await page.getByLabel("发生了什么").fill(summary);
  await page.getByLabel("您的诉求（选填：退货、退款、赔偿…）").fill("退还餐费");
  await page.getByTestId("file-complaint").click();
  await expect(page.getByTestId("complain-note")).toContainText("请填写正确的手机号码");
  await expect(page.getByLabel("发生了什么")).toHaveValue(summary);
  await expect(page.getByLabel("您的姓名")).toHaveValue("钱多多");
  await page.getByLabel("手机号码").fill("13955660001");
  await page.getByTestId("file-complaint").click();
  await expect(page).toHaveURL(/\/track\/TS[0-9A-Z]{10}\?done=filed$/);
  const code = page.url().split("/track/")[1].split("?")[0];
  await expect(page.getByTestId("tracking-code")).toContainText(code);
  await expect(page.locator("[data-status=negotiating]")).toHaveText("企业协商中");
  await expect(page.getByTestId("complaint-clock")).toHaveAttribute("data-left", "10");
  await expect(page.getByText("钱*", { exact: false })).toBeVisible();
  await expect(page.getByText("139****0001")).toBeVisible();

  // The unit's desk: the complaint with its clock; a wrong amount is refused, nothing lost.
  await unit.goto("/desk");
  const item = unit.getByTestId("desk-complaint").filter({ hasText: summary });
  await expect(item.getByTestId("complaint-clock")).toContainText("还剩 10 个工作日");
  await expect(item.getByRole("link", { name: "13955660001" })).toBeVisible();
  await item.getByLabel("处理方案").fill("当面致歉，全额退还餐费");
  await item.getByLabel("先行赔付（元）").fill("五十");
  await item.getByTestId("desk-contact").click();
  await expect(unit.getByTestId("desk-note")).toContainText("金额不正确");
  await expect(item.getByLabel("处理方案")).toHaveValue("当面致歉，全额退还餐费");
  await item.getByLabel("先行赔付（元）").fill("50");
  await item.getByTestId("desk-contact").click();
  await expect(unit.getByTestId("desk-note")).toContainText("已记录与消费者的联系");
  await expect(item.getByTestId("desk-offer")).toContainText("全额退还餐费");
  await item.getByLabel("和解后为消费者挽回的金额（元）").fill("128.5");
  await item.getByTestId("desk-settle").click();
  await expect(unit.getByTestId("desk-note")).toContainText("已记录和解");
  await expect(unit.getByTestId("desk-closed")).toContainText(summary.slice(0, 20));

  // The consumer's one-tap rating, once.
  await page.goto(`/track/${code}`);
  await expect(page.locator("[data-status=closed]")).toHaveText("已办结");
  await expect(page.getByTestId("tracked-outcome")).toHaveText("协商和解");
  await page.getByTestId("rate-invite").getByTestId("rate-satisfied").click();
  await expect(page).toHaveURL(/\/rate\/\d+-[0-9a-f]{32}\?done=thanks$/);
  await expect(page.getByTestId("rate-note")).toContainText("感谢您的评价");
  await expect(page.getByTestId("rated")).toContainText("满意");
  const rateLink = page.url().split("?")[0];
  await page.goto(rateLink);
  await expect(page.getByTestId("rated")).toBeVisible();
  await expect(page.getByTestId("rate-satisfied")).toHaveCount(0);
  await page.goto(`/track/${code}`);
  await expect(page.getByTestId("tracked-rating")).toHaveText("满意");
  await expect(page.getByTestId("rate-invite")).toHaveCount(0);
  await expect(page.getByTestId("timeline")).toContainText("消费者评价：满意");

  // The unit's rates have moved: one more accepted and closed, one more satisfied rating.
  await unit.goto("/desk");
  const handlingAfter = await fraction(unit, "handling");
  const satisfactionAfter = await fraction(unit, "satisfaction");
  expect(handlingAfter).toEqual([handlingBefore[0] + 1, handlingBefore[1] + 1]);
  expect(satisfactionAfter).toEqual([satisfactionBefore[0] + 1, satisfactionBefore[1] + 1]);
  await expect(unit.getByTestId("rate-handling-value")).toHaveText(percent(handlingAfter));
  await expect(unit.getByTestId("rate-satisfaction-value")).toHaveText(percent(satisfactionAfter));
  await unitCtx.close();
  expect(errors).toEqual([]);
});

test("the county office imports a 12315 export: refused whole with a row report, then imported", { tag: "@desktop" }, async ({ page }) => {
  const errors = watchConsole(page);
  await staffReady(page, test.info(), "county_office", "341721");
  const run = Date.now().toString(36);
  const header = "投诉编号,登记日期,受理日期,办结日期,被投诉单位,所属乡镇,行业,办理状态,办结方式,满意度";
  const rows = [
    `E2E-${run}-1,2025-04-01,2025-04-02,2025-04-20,东至县某超市,尧渡镇,商品零售,已办结,协商和解,满意`,
    `E2E-${run}-2,2025-04-03,2025-04-03,,东至县某饭店,上海市,餐饮住宿,调解中,,`,
    `E2E-${run}-3,2025-13-01,,,东至县某药房,东流镇,药品医疗,待受理,,`,
  ];
  const file = (lines: string[]) => ({ name: "12315.csv", mimeType: "text/csv", buffer: Buffer.from([header, ...lines].join("\n") + "\n") });

  await page.getByRole("link", { name: "投诉管理" }).first().click();
  await expect(page).toHaveURL(/\/complaints$/);
  await page.getByRole("link", { name: "导入12315数据" }).click();
  await page.locator('input[name="file"]').setInputFiles(file(rows));
  await page.getByTestId("import-submit").click();
  await expect(page).toHaveURL(/error=rejected&report=\d+/);
  await expect(page.getByTestId("import-note")).toContainText("整个文件未导入");
  const problems = page.getByTestId("import-problems");
  await expect(problems.locator("tbody tr")).toHaveCount(2);
  await expect(problems).toContainText("不是东至县的乡镇：上海市");
  await expect(problems).toContainText("不是日期：2025-13-01");
  // Every download is clicked, as a person would, and the file read.
  const download = async (link: import("@playwright/test").Locator) => {
    const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
    return readFileSync((await file.path())!);
  };
  const text = (await download(page.getByRole("link", { name: "下载错误报告" }).first())).toString("utf8");
  expect(text).toContain("行号,列,问题");
  expect(text).toContain("3,所属乡镇,不是东至县的乡镇：上海市");

  const fixed = [rows[0], rows[1].replace("上海市", "东流镇"), rows[2].replace("2025-13-01", "2025-03-01")];
  await page.locator('input[name="file"]').setInputFiles(file(fixed));
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("import-note")).toContainText("导入完成");

  // The imported complaints are in the list, with the filters in the URL.
  await page.goto(`/complaints?from=&to=&q=E2E-${run}`);
  await expect(page.getByTestId("complaint-total")).toHaveText("共 3 件");
  await page.getByLabel("状态").selectOption("closed");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/status=closed/);
  await expect(page.getByTestId("complaint-total")).toHaveText("共 1 件");
  await expect(page.getByTestId("rate-satisfaction-value")).toHaveText("100.0%");
  expect((await download(page.getByTestId("export-xlsx"))).subarray(0, 2).toString()).toBe("PK");
  const csv = (await download(page.getByTestId("export-csv"))).toString("utf8");
  expect(csv).toContain(`E2E-${run}-1`);
  expect(csv.split("\n").filter((l) => l.includes(`E2E-${run}`))).toHaveLength(1);
  expect(errors).toEqual([]);
});
