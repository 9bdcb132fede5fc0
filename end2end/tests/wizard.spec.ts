import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { withWrongCheck } from "./support";
import {
  PHONE, PDF, IDENTITY, FACTS, PLEDGE, DECLARATION, registerApplicant, signIn, setField, fillAll, next,
  upload, walkToReview, completeWizard, startApplication,
} from "./wizard-steps";

// The guided application wizard, one per category, as applicants use it on a phone.

test.describe("at 390 px", { tag: "@phone" }, () => {
  test.use({ viewport: PHONE });

  test("the model-business wizard: a wrong credit code is caught, nothing typed is lost, then it is submitted", async ({ page, context }) => {
    const errors = watchConsole(page);
    const code = await registerApplicant(context, "unit", "东至县尧渡镇惠民生鲜店");
    await startApplication(page);
    await waitForHydration(page);
    // Identity comes prefilled from registration.
    await expect(page.getByLabel("统一社会信用代码")).toHaveValue(code);
    await fillAll(page, IDENTITY.unit);
    await page.getByLabel("统一社会信用代码").fill(withWrongCheck(code));
    await page.getByLabel("详细地址").focus();
    const field = page.locator('[data-field="credit_code"]');
    await expect(field.locator(".field__error")).toContainText("统一社会信用代码：校验位不符");
    // "Next" is refused on the same step; everything typed stays.
    await page.getByTestId("next").click();
    await expect(page.getByTestId("wizard")).toHaveAttribute("data-step", "identity");
    await expect(field.locator(".field__error")).toContainText("校验位不符");
    await expect(page.getByLabel("门店或品牌名称")).toHaveValue("惠民生鲜");
    await expect(page.getByLabel("详细地址")).toHaveValue("尧渡镇建设路18号");
    // Even a reload keeps the wrong value, and says what is wrong with it.
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved");
    await page.reload();
    await expect(page.getByLabel("统一社会信用代码")).toHaveValue(withWrongCheck(code));
    await expect(field.locator(".field__error")).toContainText("校验位不符");
    await waitForHydration(page);
    await page.getByLabel("统一社会信用代码").fill(code);
    await expect(field.locator(".field__error")).toBeEmpty();
    await completeWizard(page, "unit");
    await page.goto("/apply");
    await expect(page.getByTestId("application-list")).toContainText("已提交，待乡镇初审");
    expect(errors).toEqual([]);
  });

  test("the street wizard resumes after a reload and on another device, and queues changes while offline", async ({ page, context, browser }) => {
    const errors = watchConsole(page);
    const code = await registerApplicant(context, "street", "东至县尧渡老街商业街区管理办公室");
    await startApplication(page);
    await waitForHydration(page);
    await fillAll(page, IDENTITY.street);
    await next(page, "facts");
    await fillAll(page, { managed_area: "45000", merchant_count: "128" });
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved");
    await page.reload();
    await expect(page.getByLabel("管理区域面积")).toHaveValue("45000");
    await expect(page.getByLabel("入驻经营户数")).toHaveValue("128");
    await waitForHydration(page);

    // The network drops: the change waits in the browser, with a clear notice, and goes
    // through when the network is back.
    await context.setOffline(true);
    await setField(page, "compensation_fund", "20");
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "offline");
    await expect(page.getByTestId("save-status")).toContainText("离线");
    await context.setOffline(false);
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved", { timeout: 15_000 });

    // Another device picks up exactly there.
    const other = await browser.newContext({ viewport: PHONE, baseURL: test.info().project.use.baseURL });
    await signIn(other, code);
    const phone2 = await other.newPage();
    await phone2.goto("/apply");
    await expect(phone2.getByTestId("application-list")).toContainText("继续填写： 类别情况");
    await phone2.getByTestId("application-list").getByRole("link").first().click();
    await expect(phone2).toHaveURL(/\/apply\/\d+\/facts$/);
    await expect(phone2.getByLabel("先行赔付资金")).toHaveValue("20");
    await expect(phone2.getByLabel("入驻经营户数")).toHaveValue("128");
    await other.close();

    await page.reload();
    await waitForHydration(page);
    await fillAll(page, FACTS.street);
    await next(page, "pledge");
    await page.goto(page.url().replace(/pledge$/, "identity"));
    await completeWizard(page, "street");
    // The only console errors allowed are the requests refused while offline.
    expect(errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED"))).toEqual([]);
  });

  test("the village wizard refuses a mislabelled and an oversized upload with a clear message and keeps the rest", async ({ page, context }) => {
    const errors = watchConsole(page);
    await registerApplicant(context, "village", "东流镇菊江村村民委员会");
    await startApplication(page);
    await waitForHydration(page);
    await fillAll(page, IDENTITY.village);
    await next(page, "facts");
    await fillAll(page, FACTS.village);
    await next(page, "pledge");
    await fillAll(page, PLEDGE);
    await next(page, "declaration");
    await fillAll(page, DECLARATION);
    await next(page, "evidence");

    // A text file named like a photo: refused by its content.
    await upload(page, "licence", { name: "营业执照.jpg", mimeType: "image/jpeg", buffer: Buffer.from("this is not a picture at all") });
    await expect(page.getByTestId("slot-licence").getByTestId("upload-error")).toContainText("只能上传图片（JPG、PNG、WebP）或PDF文件");
    // A PDF over the 10 MB limit.
    const big = Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024, 32)]);
    await upload(page, "licence", { name: "扫描件.pdf", mimeType: "application/pdf", buffer: big });
    await expect(page.getByTestId("slot-licence").getByTestId("upload-error")).toContainText("文件太大：每个文件不超过10MB");
    await expect(page.getByTestId("slot-licence").getByTestId("evidence-file")).toHaveCount(0);
    // Nothing entered earlier was lost.
    await page.goto(page.url().replace(/evidence$/, "facts"));
    await expect(page.getByLabel("民宿")).toHaveValue("4");
    await page.goto(page.url().replace(/facts$/, "identity"));
    await waitForHydration(page);
    await completeWizard(page, "village");
    expect(errors).toEqual([]);
  });

  test("the association wizard works with JavaScript switched off, through to submission", async ({ browser }) => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false, baseURL: test.info().project.use.baseURL });
    const page = await context.newPage();
    await registerApplicant(context, "association", "东至县家装行业协会");
    await startApplication(page);
    // A refused step comes back from the server with the problem named and the values kept.
    await fillAll(page, { ...IDENTITY.association, contact_mobile: "12345" });
    await page.getByTestId("next").click();
    await expect(page).toHaveURL(/\/identity\?check=1$/);
    await expect(page.locator('[data-field="contact_mobile"] .field__error')).toContainText("联系人手机：手机号应为11位数字");
    await expect(page.getByLabel("详细地址")).toHaveValue(IDENTITY.association.address);
    await setField(page, "contact_mobile", "13812345678");
    await completeWizard(page, "association", false);
    await context.close();
  });
});

test("a large photo is shrunk in the browser before upload and accepted", { tag: "@phone" }, async ({ page, context }) => {
  const errors = watchConsole(page);
  await registerApplicant(context, "unit", "东至县尧渡镇照片测试店");
  await startApplication(page);
  await page.goto(page.url().replace(/identity$/, "evidence"));
  await waitForHydration(page);
  // A 2400 × 2400 photo of noise: as PNG far above the 10 MB limit.
  const png = Buffer.from(await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = c.height = 2400;
    const g = c.getContext("2d")!;
    const img = g.createImageData(2400, 2400);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : (Math.random() * 256) | 0;
    g.putImageData(img, 0, 0);
    const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), "image/png"));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }), "base64");
  expect(png.length).toBeGreaterThan(10 * 1024 * 1024);
  await upload(page, "other", { name: "门头照片.png", mimeType: "image/png", buffer: png });
  const file = page.getByTestId("slot-other").getByTestId("evidence-file");
  await expect(file).toHaveCount(1, { timeout: 20_000 });
  await expect(file).toContainText("门头照片.jpg");
  const [value, unit] = (await file.locator(".files__size").innerText()).split(" ");
  expect(parseFloat(value) * (unit === "MB" ? 1024 : 1)).toBeLessThan(10 * 1024);
  expect(errors).toEqual([]);
});

test("an application cannot be seen by another applicant", async ({ page, context, browser }) => {
  await registerApplicant(context, "unit", `东至县测试商店 ${test.info().project.name}`);
  await startApplication(page);
  const url = page.url();
  const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  await registerApplicant(other, "unit", `东至县另一家商店 ${test.info().project.name}`);
  const res = await other.request.get(url.replace(/^https?:\/\/[^/]+/, ""));
  expect(await res.text()).not.toContain("data-testid=\"wizard-form\"");
  const save = await other.request.post(url.replace(/identity$/, "save").replace(/^https?:\/\/[^/]+/, ""), {
    form: { step: "identity", go: "stay", brand_name: "hijack" }, headers: { Accept: "application/json" },
  });
  expect(save.status()).toBe(404);
  await other.close();
});

test("a street prepares an application for a merchant in its township, and the merchant confirms it", { tag: "@phone" }, async ({ page, context, browser }) => {
  const errors = watchConsole(page);
  const merchantCtx = await browser.newContext({ viewport: PHONE, baseURL: test.info().project.use.baseURL });
  const merchantCode = await registerApplicant(merchantCtx, "unit", "东至县尧渡镇老街茶叶店");
  await registerApplicant(context, "street", "东至县尧渡老街管理办");
  await page.goto("/apply");
  // A wrong code is refused with the reason, and a merchant of another category too.
  await page.getByLabel("商户的统一社会信用代码").fill(withWrongCheck(merchantCode));
  await page.getByRole("button", { name: "为该商户填写申报" }).click();
  await expect(page.getByTestId("prepare-form")).toContainText("统一社会信用代码格式不对");
  await page.getByLabel("商户的统一社会信用代码").fill(merchantCode);
  await page.getByRole("button", { name: "为该商户填写申报" }).click();
  await expect(page).toHaveURL(/\/apply\/\d+\/identity$/);
  await expect(page.getByTestId("agent-note")).toContainText("东至县尧渡镇老街茶叶店");
  await expect(page.getByLabel("统一社会信用代码")).toHaveValue(merchantCode);
  // The agent sees none of the merchant's contact details.
  await expect(page.getByLabel("联系人", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("联系人手机")).toHaveValue("");
  await waitForHydration(page);
  await walkToReview(page, "unit", true, true);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("locked-note")).toContainText("已交商户确认");

  // The merchant signs in with its own login, checks and submits.
  // The merchant's own slot stayed free meanwhile: it accepts the prepared application.
  const merchant = await merchantCtx.newPage();
  await merchant.goto("/apply");
  await expect(merchant.getByTestId("start-application")).toBeVisible();
  await expect(merchant.getByTestId("application-list")).toContainText("代办申报，待商户接受");
  await merchant.getByTestId("accept-proposal").click();
  await expect(merchant).toHaveURL(/\/apply\/\d+\/identity$/);
  await expect(merchant.getByTestId("agent-note")).toContainText("东至县尧渡老街管理办");
  // The contact details the agent never saw come from the merchant's registration.
  await expect(merchant.getByLabel("联系人", { exact: true })).toHaveValue("王芳");
  await expect(merchant.getByLabel("联系人手机")).toHaveValue("13812345678");
  const base = merchant.url().replace(/\/[a-z-]+$/, "");
  // Nothing is ticked for the merchant: it cannot submit until it ticks with its own hand.
  await merchant.goto(`${base}/review`);
  await expect(merchant.getByTestId("self-check")).toHaveAttribute("data-ready", "false");
  await expect(merchant.getByTestId("submit")).toBeDisabled();
  await merchant.goto(`${base}/pledge`);
  await waitForHydration(merchant);
  await expect(merchant.locator("input[type=checkbox]:checked")).toHaveCount(0);
  await expect(merchant.getByLabel("签署人")).toHaveValue(PLEDGE.signer);
  await fillAll(merchant, PLEDGE);
  await next(merchant, "declaration");
  await expect(merchant.locator("input[type=checkbox]:checked")).toHaveCount(0);
  await fillAll(merchant, DECLARATION);
  await next(merchant, "evidence");
  // The record says who ticked each box: the merchant's own login.
  await merchant.goto(`${base}/review`);
  await expect(merchant.getByTestId("summary-ticked-by").filter({ hasText: merchantCode })).toHaveCount(10);
  await expect(merchant.getByTestId("self-check")).toHaveAttribute("data-ready", "true");
  await merchant.getByTestId("submit").click();
  await expect(merchant.getByTestId("submitted")).toBeVisible();
  await merchantCtx.close();
  expect(errors).toEqual([]);
});

test("public pages do not download the wizard's code; the wizard loads it when opened", async ({ page, context }) => {
  const wasm: string[] = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url()); });
  await page.goto("/");
  await waitForHydration(page);
  await page.goto("/indicators");
  await waitForHydration(page);
  expect(wasm.some((u) => u.includes("split___wizard"))).toBe(false);
  await registerApplicant(context, "unit", `东至县懒加载测试店 ${test.info().project.name}`);
  await startApplication(page);
  await waitForHydration(page);
  expect(wasm.some((u) => u.includes("split___wizard"))).toBe(true);
});
