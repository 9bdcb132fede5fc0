import { expect, Page, BrowserContext } from "@playwright/test";
import { creditCode } from "./support";

// The steps of the application wizard, shared by the specs that walk it.

export const PASSWORD = "Fangxin-Test-2026!";
export const PHONE = { width: 390, height: 844 };

export type Category = "unit" | "street" | "association" | "village";

let seed = Date.now() % 500_000;

/** Registers an applicant organisation (through the same endpoint the form posts to) and signs it in. */
export async function registerApplicant(context: BrowserContext, category: Category, name: string): Promise<string> {
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

export async function signIn(context: BrowserContext, login: string) {
  const res = await context.request.post("/api/login", { form: { login, password: PASSWORD } });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

/** Sets a wizard field by its form name, whatever control it is. */
export async function setField(page: Page, name: string, value: string) {
  const f = page.locator(`[data-field="${name}"]`);
  if (await f.locator("select").count()) return f.locator("select").selectOption(value);
  const radio = f.locator(`input[type=radio][value="${value}"]`);
  if (await radio.count()) return radio.check();
  const box = f.locator("input[type=checkbox]");
  if (await box.count()) return value ? box.check() : box.uncheck();
  return f.locator("input").fill(value);
}

export async function fillAll(page: Page, values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) await setField(page, k, v);
}

export const IDENTITY: Record<Category, Record<string, string>> = {
  unit: { brand_name: "惠民生鲜", address: "尧渡镇建设路18号", industry: "retail", legal_rep: "陈建国" },
  street: { brand_name: "尧渡老街", address: "尧渡镇老街1号", industry: "pedestrian", legal_rep: "张伟" },
  association: { brand_name: "县家装协会", address: "尧渡镇人民路2号", industry: "decoration", legal_rep: "孙丽" },
  village: { brand_name: "菊江村", address: "东流镇菊江村", industry: "agritourism", legal_rep: "李秀英" },
};

export const FACTS: Record<Category, Record<string, string>> = {
  unit: { premises_area: "800", employees: "25", no_reason_returns: "yes" },
  street: { managed_area: "45000", merchant_count: "128", complaint_system: "yes", compensation_fund: "20", offline_returns: "yes" },
  association: { registration_body: "civil_affairs", member_count: "86", self_discipline: "yes", fast_dispute: "yes" },
  village: { beautiful_village: "provincial", banquet_count: "6", homestay_count: "4", agritourism_count: "3", grocery_count: "9", ecommerce_points: "2" },
};

export const PLEDGE = { pledge_quality: "on", pledge_pricing: "on", pledge_returns: "on", pledge_compensation: "on", pledge_supervision: "on", signer: "陈建国", sign: "on" };
export const DECLARATION = { no_serious_violation: "on", not_abnormal: "on", not_dishonest: "on", not_enforced: "on", declarant: "陈建国" };

export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

export async function next(page: Page, step: string) {
  await page.getByTestId("next").click();
  await expect(page).toHaveURL(new RegExp(`/apply/\\d+/${step}$`));
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-step", step);
}

export async function upload(page: Page, slot: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  const s = page.getByTestId(`slot-${slot}`);
  await s.locator("input[type=file]").setInputFiles(file);
  await s.getByRole("button", { name: "上传" }).click();
}

export async function selfAssess(page: Page) {
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
export async function walkToReview(page: Page, category: Category, js = true, agent = false) {
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-category", category);
  await fillAll(page, IDENTITY[category]);
  await next(page, "facts");
  await fillAll(page, FACTS[category]);
  await next(page, "pledge");
  if (agent) {
    // An agent prepares the signer's name; the ticks are the merchant's own.
    await expect(page.locator("input[type=checkbox]:not([disabled])")).toHaveCount(0);
    await expect(page.getByTestId("tick-by-applicant").first()).toBeVisible();
    await fillAll(page, { signer: PLEDGE.signer });
  } else await fillAll(page, PLEDGE);
  await next(page, "declaration");
  if (agent) {
    await expect(page.locator("input[type=checkbox]:not([disabled])")).toHaveCount(0);
    await fillAll(page, { declarant: DECLARATION.declarant });
  } else await fillAll(page, DECLARATION);
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
  if (agent) await expect(page.getByTestId("ticks-for-merchant")).toBeVisible();
}

/** Walks a wizard from the first step to submission. */
export async function completeWizard(page: Page, category: Category, js = true) {
  await walkToReview(page, category, js);
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("submitted")).toBeVisible();
  await expect(page.getByTestId("locked-note")).toContainText("已提交，待乡镇初审");
}

export async function startApplication(page: Page) {
  await page.goto("/apply");
  await page.getByTestId("start-application").click();
  await expect(page).toHaveURL(/\/apply\/\d+\/identity$/);
}

