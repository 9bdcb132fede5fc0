import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { staffReady } from "./support";
import { registerApplicant, startApplication, completeWizard, PHONE } from "./wizard-steps";

// Township pre-review (乡镇初审): return with reasons, the applicant fixes and resubmits,
// the township recommends it to the county.

test("a township returns an application with reasons, the applicant fixes it, and the township passes it on", { tag: "@phone" }, async ({ page, browser }) => {
  const errors = watchConsole(page);
  const applicantCtx = await browser.newContext({ viewport: PHONE, baseURL: test.info().project.use.baseURL });
  const applicant = await applicantCtx.newPage();
  const name = `东至县尧渡镇初审测试店 ${Date.now().toString(36)}`;
  await registerApplicant(applicantCtx, "unit", name);
  await startApplication(applicant);
  await waitForHydration(applicant);
  await completeWizard(applicant, "unit");

  // The township reviewer finds it in the queue, reads it, and returns it.
  await staffReady(page, test.info(), "township_reviewer", "341721100");
  await page.getByRole("link", { name: "乡镇初审" }).click();
  await expect(page).toHaveURL(/\/review$/);
  await page.getByTestId("review-queue").getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("summary-assessment")).toContainText("/ 8");
  await page.getByLabel("申报材料齐全、真实").check();
  await page.getByLabel("基本信息", { exact: true }).fill("详细地址缺少门牌号，请补充。");
  await page.getByLabel("初审意见（必填：推荐理由或退回原因）").fill("地址不完整，请补充后重新提交。");
  await page.getByTestId("return").click();
  await expect(page).toHaveURL(/\/review\?decided=return$/);
  await expect(page.getByTestId("review-decided")).toContainText("已退回");

  // The applicant sees the reasons on the step concerned, fixes it and submits again.
  await applicant.goto("/apply");
  await expect(applicant.getByTestId("application-list")).toContainText("退回修改");
  await applicant.getByTestId("application-list").getByRole("link").first().click();
  await expect(applicant).toHaveURL(/\/apply\/\d+\/[a-z-]+$/);
  await applicant.goto(applicant.url().replace(/\/[a-z-]+$/, "/identity"));
  await expect(applicant.getByTestId("returned-note")).toContainText("地址不完整，请补充后重新提交。");
  await expect(applicant.getByTestId("returned-here")).toContainText("详细地址缺少门牌号");
  await waitForHydration(applicant);
  await applicant.getByLabel("详细地址").fill("尧渡镇建设路18号101室");
  await expect(applicant.getByTestId("save-status")).toHaveAttribute("data-state", "saved");
  await applicant.goto(applicant.url().replace(/identity$/, "review"));
  await applicant.getByTestId("submit").click();
  await expect(applicant.getByTestId("submitted")).toBeVisible();

  // Back in the queue, marked as resubmitted; the township recommends it.
  await page.goto("/review");
  const item = page.getByTestId("review-queue").locator("li", { hasText: name });
  await expect(item).toContainText("修改后重新提交");
  await item.getByRole("link").click();
  await expect(page.getByText("尧渡镇建设路18号101室")).toBeVisible();
  await page.getByLabel("初审意见（必填：推荐理由或退回原因）").fill("材料齐全，经实地查看，同意推荐。");
  await page.getByTestId("pass").click();
  await expect(page.getByTestId("review-decided")).toContainText("已推荐至县级评审");
  await expect(page.getByTestId("review-queue").locator("li", { hasText: name })).toHaveCount(0);

  await applicant.goto("/apply");
  await expect(applicant.getByTestId("application-list")).toContainText("县级评审中");
  await applicantCtx.close();
  expect(errors).toEqual([]);
});

test("an empty opinion is refused by the form itself and nothing is lost", { tag: "@phone" }, async ({ page }) => {
  await staffReady(page, test.info(), "township_reviewer", "341721100");
  await page.goto("/review");
  // The demo association's application waits in 尧渡镇's queue.
  await page.getByTestId("review-queue").getByRole("link", { name: "东至县餐饮行业协会" }).click();
  await page.getByLabel("基本信息", { exact: true }).fill("请核对登记证书。");
  await page.getByTestId("return").click();
  await expect(page).not.toHaveURL(/decided/);
  await expect(page.getByLabel("基本信息", { exact: true })).toHaveValue("请核对登记证书。");
});

test("another township's application opened by its address answers 404, with the page around it", async ({ page, browser }) => {
  // 尧渡镇's reviewer finds the demo association's application and notes its address.
  const yaodu = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const y = await yaodu.newPage();
  await staffReady(y, test.info(), "township_reviewer", "341721100");
  await y.goto("/review");
  await y.getByTestId("review-queue").getByRole("link", { name: "东至县餐饮行业协会" }).click();
  await expect(y).toHaveURL(/\/review\/\d+$/);
  const path = new URL(y.url()).pathname;
  await yaodu.close();

  // 东流镇's reviewer opens it by that address: 404, the site's frame, a plain message.
  await staffReady(page, test.info(), "township_reviewer", "341721101");
  const res = await page.goto(path);
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("page-error")).toBeVisible();
  await expect(page.locator(".site-header")).toBeVisible();
  await expect(page.getByText("东至县餐饮行业协会")).toHaveCount(0);
});
