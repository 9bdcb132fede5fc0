import { test, expect } from "@playwright/test";
import { watchConsole } from "./helpers";
import { staffReady } from "./support";

// The county office plans the next batch and edits its indicators before it opens.

test("the county office plans a batch and edits its indicator set before it opens", { tag: "@phone" }, async ({ page }) => {
  const errors = watchConsole(page);
  await staffReady(page, test.info(), "county_office", "341721");
  await page.getByRole("link", { name: "创建批次" }).click();
  await expect(page).toHaveURL(/\/batches$/);
  await expect(page.getByTestId("batches")).toContainText("申报中");

  // Dates out of order: the problem is named and every value entered is kept.
  const name = `东至县2028—2029年度放心消费创建 ${Date.now().toString(36)}`;
  await page.getByLabel("批次名称").fill(name);
  await page.getByLabel("申报开始").fill("2028-09-01");
  await page.getByLabel("申报截止").fill("2028-08-01");
  await page.getByLabel("评估验收开始").fill("2029-04-01");
  await page.getByLabel("评估验收结束").fill("2029-09-30");
  await page.getByTestId("create-batch").click();
  await expect(page.getByTestId("batch-problems")).toContainText("申报截止日期不能早于开始日期");
  await expect(page.getByLabel("批次名称")).toHaveValue(name);
  await expect(page.getByLabel("评估验收结束")).toHaveValue("2029-09-30");
  await page.getByLabel("申报截止").fill("2029-03-31");
  await page.getByTestId("create-batch").click();
  const planned = page.getByTestId("batches").locator("li", { hasText: name });
  await expect(planned).toContainText("筹备中");

  // Its indicator sets start from the defaults and can be edited: a set that does not
  // add up is kept as a draft with the reason; a corrected one becomes version 2.
  await planned.getByRole("link", { name: "评价指标" }).click();
  await expect(page.getByTestId("editor-batch")).toContainText(name);
  await expect(page.getByTestId("editor-version")).toContainText("当前第 1 版；基本项合计 100 分");
  const firstPoints = page.locator('[name="r0.max_points"]');
  await firstPoints.fill("10");
  await page.getByTestId("save-indicators").click();
  await expect(page.getByTestId("editor-problems")).toContainText("基本项分值合计 102 分，应等于基本分 100 分");
  await expect(page.getByTestId("editor-draft")).toBeVisible();
  await expect(page.locator('[name="r0.max_points"]')).toHaveValue("10");
  await page.locator('[name="r1.max_points"]').fill("5");
  await page.getByTestId("save-indicators").click();
  await expect(page.getByTestId("indicators-saved")).toContainText("已保存为第 2 版");
  await expect(page.getByTestId("editor-version")).toContainText("当前第 2 版");
  expect(errors).toEqual([]);
});

test("closing the open batch asks first, and its button is no solid primary one", async ({ page }) => {
  await staffReady(page, test.info(), "county_office", "341721");
  await page.getByRole("link", { name: "创建批次" }).click();
  const open = page.getByTestId("batches").locator('li[data-status="open"]');
  const ask = open.getByTestId("batch-closed-ask");
  await expect(ask).toBeVisible();
  // Not the red primary button: white with a dark red dashed border.
  expect(await ask.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(255, 255, 255)");
  await expect(open.getByTestId("batch-closed")).toBeHidden();
  await ask.click();
  await expect(open).toContainText("结束后本批次不再受理申报，也不能重新开放。确定结束？");
  await expect(open.getByTestId("batch-closed")).toBeVisible();
  // Closing the one open batch would end every other test's applications: asked, not done.
  await ask.click();
  await expect(open.getByTestId("batch-closed")).toBeHidden();
});
