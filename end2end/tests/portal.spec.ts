import { test, expect } from "@playwright/test";
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
