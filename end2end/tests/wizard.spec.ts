import { test, expect, Page, BrowserContext } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { creditCode, withWrongCheck } from "./support";

// The guided application wizard, one per category, as applicants use it on a phone.

const PASSWORD = "Fangxin-Test-2026!";
const PHONE = { width: 390, height: 844 };

type Category = "unit" | "street" | "association" | "village";

let seed = Date.now() % 500_000;

/** Registers an applicant organisation (through the same endpoint the form posts to) and signs it in. */
async function registerApplicant(context: BrowserContext, category: Category, name: string): Promise<string> {
  const code = creditCode(seed++ * 7 + 3);
  const res = await context.request.post("/api/register", {
    form: {
      "input[credit_code]": code,
      "input[name]": name,
      "input[category]": category,
      "input[township]": "341721100",
      "input[contact_name]": "王芳",
      "input[mobile]": "13812345678",
      "input[password]": PASSWORD,
      "input[password_confirm]": PASSWORD,
    },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return code;
}

async function signIn(context: BrowserContext, login: string) {
  const res = await context.request.post("/api/login", { form: { login, password: PASSWORD } });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

/** Sets a wizard field by its form name, whatever control it is. */
async function setField(page: Page, name: string, value: string) {
  const f = page.locator(`[data-field="${name}"]`);
  if (await f.locator("select").count()) return f.locator("select").selectOption(value);
  const radio = f.locator(`input[type=radio][value="${value}"]`);
  if (await radio.count()) return radio.check();
  const box = f.locator("input[type=checkbox]");
  if (await box.count()) return value ? box.check() : box.uncheck();
  return f.locator("input").fill(value);
}

async function fillAll(page: Page, values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) await setField(page, k, v);
}

const IDENTITY: Record<Category, Record<string, string>> = {
  unit: { brand_name: "惠民生鲜", address: "尧渡镇建设路18号", industry: "retail", legal_rep: "陈建国" },
  street: { brand_name: "尧渡老街", address: "尧渡镇老街1号", industry: "pedestrian", legal_rep: "张伟" },
  association: { brand_name: "县家装协会", address: "尧渡镇人民路2号", industry: "decoration", legal_rep: "孙丽" },
  village: { brand_name: "菊江村", address: "东流镇菊江村", industry: "agritourism", legal_rep: "李秀英" },
};

const FACTS: Record<Category, Record<string, string>> = {
  unit: { premises_area: "800", employees: "25", no_reason_returns: "yes" },
  street: { managed_area: "45000", merchant_count: "128", complaint_system: "yes", compensation_fund: "20", offline_returns: "yes" },
  association: { registration_body: "civil_affairs", member_count: "86", self_discipline: "yes", fast_dispute: "yes" },
  village: { beautiful_village: "provincial", banquet_count: "6", homestay_count: "4", agritourism_count: "3", grocery_count: "9", ecommerce_points: "2" },
};

const PLEDGE = { pledge_quality: "on", pledge_pricing: "on", pledge_returns: "on", pledge_compensation: "on", pledge_supervision: "on", signer: "陈建国", sign: "on" };
const DECLARATION = { no_serious_violation: "on", not_abnormal: "on", not_dishonest: "on", not_enforced: "on", declarant: "陈建国" };

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

async function next(page: Page, step: string) {
  await page.getByTestId("next").click();
  await expect(page).toHaveURL(new RegExp(`/apply/\\d+/${step}$`));
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-step", step);
}

async function upload(page: Page, slot: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  const s = page.getByTestId(`slot-${slot}`);
  await s.locator("input[type=file]").setInputFiles(file);
  await s.getByRole("button", { name: "上传" }).click();
}

async function selfAssess(page: Page) {
  const items = page.locator(".item");
  const n = await items.count();
  expect(n).toBeGreaterThan(10);
  for (let i = 0; i < n; i++) {
    const item = items.nth(i);
    const kind = await item.getAttribute("data-kind");
    if (kind === "veto") await item.locator('input[value="holds"]').check();
    else if (kind === "basic") {
      const max = (await item.locator(".field__unit").innerText()).replace("/", "").trim();
      await item.locator("input").fill(max);
    }
  }
}

/** Walks a wizard from the first step to its review page. */
async function walkToReview(page: Page, category: Category, js = true) {
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-category", category);
  await fillAll(page, IDENTITY[category]);
  await next(page, "facts");
  await fillAll(page, FACTS[category]);
  await next(page, "pledge");
  await fillAll(page, PLEDGE);
  await next(page, "declaration");
  await fillAll(page, DECLARATION);
  await next(page, "evidence");
  await upload(page, "licence", { name: "营业执照.pdf", mimeType: "application/pdf", buffer: PDF });
  await expect(page.getByTestId("slot-licence").getByTestId("evidence-file")).toHaveCount(1);
  // The file comes back byte for byte from wherever the server keeps files.
  const href = await page.getByTestId("slot-licence").getByTestId("evidence-file").locator("a").getAttribute("href");
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect(Buffer.compare(await file.body(), PDF)).toBe(0);
  await next(page, "self-assessment");
  await selfAssess(page);
  // The running total is the browser's; the review page's is the server's.
  if (js) await expect(page.getByTestId("assessment-total")).toContainText("自评得分 100 分");
  await next(page, "review");
  await expect(page.getByTestId("self-check-total")).toContainText("自评得分 100 分");
  await expect(page.getByTestId("self-check")).toHaveAttribute("data-ready", "true");
}

/** Walks a wizard from the first step to submission. */
async function completeWizard(page: Page, category: Category, js = true) {
  await walkToReview(page, category, js);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toBeVisible();
  await expect(page.getByTestId("locked-note")).toContainText("已提交，待乡镇初审");
}

async function startApplication(page: Page) {
  await page.goto("/apply");
  await page.getByTestId("start-application").click();
  await expect(page).toHaveURL(/\/apply\/\d+\/identity$/);
}

test.describe("at 390 px", () => {
  test.use({ viewport: PHONE });
  test.skip(({ isMobile }) => !isMobile, "the wizards are walked on the phone project");

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

test("a large photo is shrunk in the browser before upload and accepted", async ({ page, context, isMobile }) => {
  test.skip(!isMobile, "walked on the phone project");
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

test("a street prepares an application for a merchant in its township, and the merchant confirms it", async ({ page, context, browser, isMobile }) => {
  test.skip(!isMobile, "walked on the phone project");
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
  await waitForHydration(page);
  await walkToReview(page, "unit");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("locked-note")).toContainText("已交商户确认");

  // The merchant signs in with its own login, checks and submits.
  const merchant = await merchantCtx.newPage();
  await merchant.goto("/apply");
  await expect(merchant.getByTestId("application-list")).toContainText("待商户确认");
  await merchant.getByTestId("application-list").getByRole("link").first().click();
  await expect(merchant.getByTestId("agent-note")).toContainText("东至县尧渡老街管理办");
  await merchant.goto(merchant.url().replace(/\/[a-z-]+$/, "/review"));
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
