import { test, expect, Browser, Page } from "@playwright/test";
import { confirmStep, watchConsole, waitForHydration } from "./helpers";
import { staffReady, setClock } from "./support";
import { registerApplicant, startApplication, completeWizard, PHONE, PDF } from "./wizard-steps";

// One merchant through the whole cycle, with the public pages checked at each step:
// submission, a township return and resubmission; the county panel with one reviewer
// recused, a failure, rectification and acceptance; a five-working-day notice across
// the 2026 National Day holiday; an objection that holds recognition and is then
// dismissed; recognition, the printable certificate and QR verification; re-inspection
// and revocation.

async function staffPage(browser: Browser, role: string, area: string): Promise<[Page, string]> {
  const ctx = await browser.newContext({ viewport: PHONE, baseURL: test.info().project.use.baseURL });
  const page = await ctx.newPage();
  const login = await staffReady(page, test.info(), role, area);
  return [page, login];
}

/** Scores every item: veto items hold; basic items full marks, or zero on every other one. */
async function score(page: Page, low: boolean) {
  const items = page.locator(".score-item");
  const n = await items.count();
  expect(n).toBeGreaterThan(10);
  let basic = 0;
  for (let i = 0; i < n; i++) {
    const item = items.nth(i);
    if (await item.locator('input[type="radio"]').count()) {
      await item.locator('input[value="holds"]').check();
      continue;
    }
    const input = item.locator('input[type="number"]');
    const max = (await input.getAttribute("max"))!;
    const bonus = (await item.innerText()).includes("加分");
    const value = bonus ? "0" : low && basic++ % 2 === 0 ? "0" : max;
    await input.fill(value);
  }
  await page.getByTestId("submit-scores").click();
  await expect(page).toHaveURL(/scored=1/);
  await expect(page.getByTestId("others")).toBeVisible();
}

async function openAssignment(page: Page, name: string) {
  await page.goto("/scoring");
  await page.getByTestId("assignments").getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

test.afterAll(() => setClock(null));

test("a merchant's whole cycle, from submission to revocation", { tag: "@phone" }, async ({ page, browser }) => {
  test.setTimeout(300_000);
  const errors = watchConsole(page);
  const base = test.info().project.use.baseURL;

  // ---- Submission, a township return, resubmission ----
  const applicantCtx = await browser.newContext({ viewport: PHONE, baseURL: base });
  const applicant = await applicantCtx.newPage();
  const name = `东至县尧渡镇全流程测试店 ${Date.now().toString(36)}`;
  await registerApplicant(applicantCtx, "unit", name);
  await startApplication(applicant);
  const appId = applicant.url().match(/\/apply\/(\d+)\//)![1];
  await waitForHydration(applicant);
  await completeWizard(applicant, "unit");

  await staffReady(page, test.info(), "township_reviewer", "341721100");
  const township = page;
  await township.goto("/review");
  await township.getByTestId("review-queue").getByRole("link", { name }).click();
  await township.getByLabel("初审意见（必填：推荐理由或退回原因）").fill("请补充门牌号。");
  await township.getByTestId("return").click();
  await expect(township.getByTestId("review-decided")).toContainText("已退回");
  await applicant.goto(`/apply/${appId}/review`);
  await applicant.getByTestId("submit").click();
  await expect(applicant.getByTestId("submitted")).toBeVisible();
  await township.goto(`/review/${appId}`);
  await township.getByLabel("初审意见（必填：推荐理由或退回原因）").fill("材料齐全，同意推荐。");
  await township.getByTestId("pass").click();
  await expect(township.getByTestId("review-decided")).toContainText("已推荐至县级评审");

  // ---- The panel: three reviewers, one recused; a failure ----
  const [office, officeLogin] = await staffPage(browser, "county_office", "341721");
  const reviewers: [Page, string][] = [];
  for (let i = 0; i < 3; i++) reviewers.push(await staffPage(browser, "panel_member", "341721"));
  await office.goto("/panel?category=unit");
  for (const [, login] of reviewers) {
    await office.getByTestId("add-member").getByLabel("加入评审员").selectOption({ label: `测试 panel_member (${login})` });
    await office.getByTestId("add-member").getByRole("button", { name: "加入" }).click();
    await expect(office.getByTestId("panel-done")).toContainText("评审组已更新");
  }
  const card = () => office.getByTestId(`panel-app-${appId}`);
  for (const [, login] of reviewers) {
    await card().getByLabel("手动指派").selectOption({ label: `测试 panel_member (${login})` });
    await card().getByRole("button", { name: "指派" }).click();
    await expect(office.getByTestId("panel-done")).toContainText("已分配评审员");
  }
  await expect(card().getByTestId("reviewer-row")).toHaveCount(3);

  const [a, b, c] = reviewers.map(([p]) => p);
  await openAssignment(c, name);
  await c.getByLabel("近亲属关系").check();
  await confirmStep(c, "recuse");
  await expect(c).toHaveURL(/\/scoring\?recused=1/);
  await openAssignment(b, name);
  await expect(b.getByTestId("others")).toHaveCount(0); // nobody else's scores before one's own
  await openAssignment(a, name);
  await score(a, true);
  await score(b, true);

  await office.goto("/panel?category=unit");
  await expect(card()).toContainText("已回避：近亲属关系");
  await expect(card().getByTestId("panel-result")).toContainText("不通过");
  await confirmStep(card(), "finalise");
  await expect(office.getByTestId("panel-done")).toContainText("未通过，已进入整改");

  // ---- Rectification, reached from the inbox; acceptance ----
  await applicant.goto("/inbox");
  await applicant.getByTestId("inbox").getByRole("link", { name: /未通过县级评审/ }).click();
  await expect(applicant).toHaveURL(new RegExp(`/rectification/${appId}$`));
  await expect(applicant.getByTestId("rect-countdown")).toContainText("天后到期");
  const todo = applicant.getByTestId("todo").first();
  await todo.locator('input[type="file"]').setInputFiles({ name: "整改照片.pdf", mimeType: "application/pdf", buffer: PDF });
  await todo.getByRole("button", { name: "上传" }).click();
  await expect(applicant.getByTestId("rect-note")).toContainText("整改材料已上传");
  await expect(applicant.getByTestId("todo").first().getByRole("link", { name: "整改照片.pdf" })).toBeVisible();
  await expect(applicant.getByTestId("request-acceptance")).toBeDisabled();
  await applicant.getByLabel("整改情况").fill("已补齐明码标价，培训店员并建立台账。");
  await applicant.getByTestId("report").click();
  await expect(applicant.getByTestId("rect-note")).toContainText("已报告整改完成");
  await applicant.getByTestId("request-acceptance").click();
  await expect(applicant).toHaveURL(/\/apply\?acceptance=1/);
  await expect(applicant.getByTestId("application-list")).toContainText("县级评审中");

  await office.goto("/panel?category=unit");
  await expect(card()).toContainText("整改验收");
  for (const [, login] of reviewers.slice(0, 2)) {
    await card().getByLabel("手动指派").selectOption({ label: `测试 panel_member (${login})` });
    await card().getByRole("button", { name: "指派" }).click();
  }
  await openAssignment(a, name);
  await score(a, false);
  await openAssignment(b, name);
  await score(b, false);
  await office.goto("/panel?category=unit");
  await expect(card().getByTestId("panel-result")).toContainText("通过");
  await confirmStep(card(), "finalise");
  await expect(office.getByTestId("panel-done")).toContainText("评审通过");

  // ---- A five-working-day notice across National Day 2026 ----
  setClock("2026-09-30");
  await office.goto("/notices");
  const form = office.getByTestId("publish-form");
  for (const box of await form.locator('input[type="checkbox"]').all()) await box.uncheck();
  await form.getByLabel(new RegExp(name)).check();
  await expect(form.getByLabel("开始日期")).toHaveValue("2026-09-30");
  // Fewer than five working days: the form itself refuses (the server would too, see
  // server/tests/access.rs), and nothing typed is lost.
  const days = form.getByLabel("公示期（工作日，不少于 5）");
  await days.fill("4");
  await office.getByTestId("publish").click();
  expect(await days.evaluate((e: HTMLInputElement) => e.validity.rangeUnderflow)).toBe(true);
  await expect(office).toHaveURL(/\/notices$/);
  await expect(form.getByLabel(new RegExp(name))).toBeChecked();
  await days.fill("5");
  await office.getByTestId("publish").click();
  await expect(office.getByTestId("notice-note")).toContainText("公示已发布");
  // 30 September does not count; 1–7 October are the holiday; Saturday 10 October is a
  // make-up working day: 8, 9, 10, 12, 13 October.
  await expect(office.getByTestId("notice-dates")).toContainText("2026年9月30日 至 2026年10月13日");
  const noticeId = office.url().match(/\/notices\/(\d+)/)![1];

  const publicCtx = await browser.newContext({ viewport: PHONE, baseURL: base });
  const visitor = await publicCtx.newPage();
  await visitor.goto(`/notice/${noticeId}`);
  await waitForHydration(visitor);
  // Several windows are open; the one acted in must be in front for its animation frames.
  await visitor.bringToFront();
  await expect(visitor.getByTestId("notice-countdown")).toContainText("5");
  await expect(visitor.getByTestId("notice-period")).toContainText("2026年9月30日 至 2026年10月13日");
  await expect(visitor.getByTestId("notice-entries")).toContainText(name);

  // ---- An objection holds recognition, then is dismissed ----
  const objection = visitor.getByTestId("objection-form");
  await objection.getByLabel("异议对象").selectOption({ label: name });
  await objection.getByLabel("姓名").fill("李四");
  await objection.getByLabel("联系方式（电话或邮箱）").fill("13905661234");
  await objection.getByLabel("事实和理由").fill("太短");
  // Sent from the keyboard: with seven windows open, Playwright's pointer click here never
  // finds the button "stable" although it is (see the note of issue 5); Enter is a real path.
  await visitor.getByTestId("file-objection").press("Enter");
  await expect(visitor.getByTestId("objection-note")).toContainText("至少 10 个字");
  await expect(objection.getByLabel("姓名")).toHaveValue("李四");
  await objection.getByLabel("事实和理由").fill("国庆期间在该店购买的商品标价与结算价不一致，要求退差价被拒。");
  await visitor.getByTestId("file-objection").press("Enter");
  await expect(visitor.getByTestId("objection-note")).toContainText("异议已收到");
  await expect(visitor.getByTestId("notice-entries")).toContainText("异议核查中");

  await office.goto(`/notices/${noticeId}`);
  const filed = office.getByTestId("objection").first();
  await filed.getByLabel("交办给").selectOption({ label: `测试 county_office (${officeLogin})` });
  await filed.getByRole("button", { name: "交办" }).click();
  await expect(office.getByTestId("notice-note")).toContainText("异议已交办");
  await expect(office.getByTestId("objection").first()).toContainText("2026年10月13日"); // respond by
  await office.getByTestId("objection").first().getByLabel("核查结论").fill("正在调取结算记录，暂缓认定。");
  await office.getByTestId("uphold").click();
  await expect(office.getByTestId("notice-note")).toContainText("异议处理结果已记录");

  setClock("2026-10-14");
  await office.goto(`/notices/${noticeId}`);
  await confirmStep(office, "recognise");
  await expect(office.getByTestId("notice-note")).toContainText("已认定 0 家");
  await expect(office.getByTestId("entries")).toContainText("公示中");
  await office.getByTestId("objection").first().getByLabel("核查结论").fill("经核对结算记录，价格一致，异议不成立。");
  await office.getByTestId("dismiss").click();
  await confirmStep(office, "recognise");
  await expect(office.getByTestId("notice-note")).toContainText("已认定 1 家");
  await expect(office.getByTestId("entries")).toContainText("已认定");

  // ---- Recognition: the certificate, its QR code, verification ----
  const certHref = await office.getByTestId("certificate-link").getAttribute("href");
  const token = certHref!.split("/").pop()!;
  await visitor.goto(certHref!);
  await expect(visitor.getByTestId("certificate-name")).toHaveText(name);
  await expect(visitor.getByTestId("certificate-number")).toContainText("东至放心-2026-U-");
  await expect(visitor.locator(".certificate__qr svg")).toBeVisible();
  // 打印证书 prints (a script file of the site's own; the CSP allows no inline handler).
  await visitor.evaluate(() => {
    (window as any).printed = 0;
    window.print = () => { (window as any).printed += 1; };
  });
  await visitor.getByTestId("print-certificate").click();
  await expect.poll(() => visitor.evaluate(() => (window as any).printed)).toBe(1);
  await visitor.emulateMedia({ media: "print" });
  await expect(visitor.locator(".site-header")).toBeHidden();
  await visitor.emulateMedia({ media: "screen" });
  await visitor.goto(`/verify/${token}`);
  await expect(visitor.getByTestId("verify-status")).toHaveAttribute("data-status", "valid");
  await expect(visitor.getByTestId("verify-name")).toHaveText(name);
  await visitor.goto(`/verify/${"0".repeat(32)}`);
  await expect(visitor.getByTestId("verify-status")).toHaveAttribute("data-status", "unknown");
  await applicant.goto("/apply");
  await expect(applicant.getByTestId("application-list")).toContainText("已认定");

  // ---- Re-inspection and revocation ----
  await office.goto("/recognitions");
  await office.getByTestId("plan-form").getByRole("button", { name: "安排复查" }).click();
  await expect(office.getByTestId("register-note")).toContainText("已安排");
  const row = office.getByTestId("register-row").filter({ hasText: name });
  await confirmStep(row, "revoke");
  await expect(office.getByTestId("register-note")).toContainText("撤销必须写明原因");
  await row.getByLabel("复查记录（撤销时写明原因）").fill("复查发现不履行七日无理由退货承诺。");
  await confirmStep(row, "revoke");
  await expect(office.getByTestId("register-note")).toContainText("称号已撤销");
  await visitor.goto(`/verify/${token}`);
  await expect(visitor.getByTestId("verify-status")).toHaveAttribute("data-status", "revoked");
  await expect(visitor.getByTestId("verify-status")).toContainText("不履行七日无理由退货承诺");
  await visitor.goto("/revocations");
  await expect(visitor.getByTestId("revocations")).toContainText(name);

  await publicCtx.close();
  await applicantCtx.close();
  expect(errors).toEqual([]);
});
