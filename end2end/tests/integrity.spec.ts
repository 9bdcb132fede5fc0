import { test, expect, Page, Locator } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { Category, PDF, registerApplicant, startApplication, upload } from "./wizard-steps";

// Nothing a person types is lost or altered: every field of every step of all four wizards
// gets a value of its own; a step reached by moving on shows exactly what the server has
// (nothing carried over from the step before, nothing ticked that nobody ticked), and after
// a reload every stored field equals what was typed. And text typed while the page is
// still loading its code stays in its field and is what gets submitted.

type Values = Record<string, string>;

/** Every control of the step's form as the form would post it (unticked: ""). */
async function snapshot(page: Page): Promise<Values> {
  return page.getByTestId("wizard-form").evaluate((form) => {
    const out: Record<string, string> = {};
    for (const el of Array.from(form.querySelectorAll("input, select, textarea")) as HTMLInputElement[]) {
      if (!el.name || ["hidden", "submit", "file", "button"].includes(el.type)) continue;
      if (el.type === "checkbox") out[el.name] = el.checked ? el.value : "";
      else if (el.type === "radio") {
        if (el.checked) out[el.name] = el.value;
        else if (!(el.name in out)) out[el.name] = "";
      } else out[el.name] = el.value;
    }
    return out;
  });
}

/** The same step as the server renders it on a fresh load, in a page of its own. */
async function fromServer(page: Page): Promise<Values> {
  const fresh = await page.context().newPage();
  await fresh.goto(page.url().replace(/\?.*$/, ""));
  const values = await snapshot(fresh);
  await fresh.close();
  return values;
}

let serial = 0;

/** A valid value of its own for one field, by the kind of control it is. */
async function fillDistinct(field: Locator, name: string): Promise<void> {
  const k = ++serial;
  const select = field.locator("select");
  if (await select.count()) {
    const values = (await select.locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))
      .filter((v) => v !== "");
    await select.selectOption(values[k % values.length]);
    return;
  }
  const radios = field.locator("input[type=radio]");
  if (await radios.count()) {
    await radios.nth(k % (await radios.count())).check();
    return;
  }
  const box = field.locator("input[type=checkbox]");
  if (await box.count()) {
    await box.check();
    return;
  }
  const input = field.locator("input").first();
  const type = await input.getAttribute("type");
  const mode = await input.getAttribute("inputmode");
  const caps = await input.getAttribute("autocapitalize");
  if (caps === "characters") return; // the credit code stays the registered one
  if (type === "tel") await input.fill(`139${String(10_000_000 + k * 7919).slice(-8)}`);
  else if (mode === "numeric") await input.fill(String(k + 2));
  else await input.fill(`值${k}·${name}`.slice(0, 24));
}

async function fillStep(page: Page): Promise<Values> {
  const fields = page.getByTestId("wizard-form").locator("[data-field]");
  const n = await fields.count();
  for (let i = 0; i < n; i++) {
    const f = fields.nth(i);
    const name = (await f.getAttribute("data-field"))!;
    if (await f.locator("[disabled]").count()) continue;
    await fillDistinct(f, name);
  }
  return snapshot(page);
}

async function fillAssessment(page: Page): Promise<Values> {
  const items = page.locator(".item");
  const n = await items.count();
  for (let i = 0; i < n; i++) {
    const item = items.nth(i);
    const kind = await item.getAttribute("data-kind");
    if (kind === "veto") await item.locator('input[value="holds"]').check();
    else {
      const max = Number((await item.locator(".field__unit").innerText()).replace("/", "").trim());
      await item.locator("input").fill(String((i * 3) % (max + 1)));
    }
  }
  return snapshot(page);
}

async function moveOn(page: Page, step: string) {
  await page.getByTestId("next").click();
  await expect(page).toHaveURL(new RegExp(`/apply/\\d+/${step}$`));
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-step", step);
  await waitForHydration(page);
}

const PLAIN_STEPS = ["identity", "facts", "pledge", "declaration"];
const NAMES: Record<Category, string> = {
  unit: "东至县尧渡镇核对水果店",
  street: "东至县尧渡核对街区管理办",
  association: "东至县核对餐饮行业协会",
  village: "东至县东流镇核对村民委员会",
};

for (const category of ["unit", "street", "association", "village"] as Category[]) {
  test(`the ${category} wizard stores exactly what was typed, field by field, with nothing carried over or pre-ticked`, async ({ page, context }) => {
    test.setTimeout(120_000);
    const errors = watchConsole(page);
    await registerApplicant(context, category, `${NAMES[category]}${Date.now() % 100000}`);
    await startApplication(page);
    await waitForHydration(page);
    const typed: Record<string, Values> = {};
    const base = page.url().replace(/\/identity$/, "");
    for (const [i, step] of PLAIN_STEPS.entries()) {
      // Reached by moving on in the page: it shows what the server holds, nothing else.
      expect(await snapshot(page), `${step} as reached`).toEqual(await fromServer(page));
      if (step === "pledge" || step === "declaration") {
        await expect(page.locator("input[type=checkbox]:checked")).toHaveCount(0);
      }
      typed[step] = await fillStep(page);
      await moveOn(page, i + 1 < PLAIN_STEPS.length ? PLAIN_STEPS[i + 1] : "evidence");
    }
    await upload(page, "licence", { name: "营业执照.pdf", mimeType: "application/pdf", buffer: PDF });
    await expect(page.getByTestId("slot-licence").getByTestId("evidence-file")).toHaveCount(1);
    await moveOn(page, "self-assessment");
    expect(await snapshot(page), "self-assessment as reached").toEqual(await fromServer(page));
    typed["self-assessment"] = await fillAssessment(page);
    await moveOn(page, "review");

    // After a reload, every stored field equals what was typed.
    for (const step of [...PLAIN_STEPS, "self-assessment"]) {
      await page.goto(`${base}/${step}`);
      expect(await snapshot(page), `${step} after a reload`).toEqual(typed[step]);
    }
    await page.goto(`${base}/review`);
    await expect(page.getByTestId("self-check")).toHaveAttribute("data-ready", "true");
    expect(errors).toEqual([]);
  });
}

/** Holds the page's WASM back, as a slow phone on a rural network would. */
async function slowWasm(page: Page, ms: number) {
  await page.route(/\.wasm$/, async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  });
}

test("text typed on /register before the page's code has loaded stays and is submitted", async ({ page }) => {
  const errors = watchConsole(page);
  await slowWasm(page, 2500);
  await page.goto("/register", { waitUntil: "domcontentloaded" });
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  const { creditCode } = await import("./support");
  const code = creditCode((Date.now() % 400_000) * 3 + (test.info().project.name === "phone" ? 5 : 6));
  const name = `东至县早输入测试商店${Date.now() % 100000}`;
  await page.getByLabel("统一社会信用代码").fill(code);
  await page.getByLabel("单位名称（与营业执照或登记证书一致）").fill(name);
  await page.getByLabel("创建类别").selectOption("unit");
  await page.getByLabel("所在乡镇").selectOption({ label: "尧渡镇" });
  await page.getByLabel("联系人").fill("早输入");
  await page.getByLabel("联系手机").fill("13812345670");
  await page.getByLabel("密码", { exact: true }).fill("Fangxin-Test-2026!");
  await page.getByLabel("再次输入新密码").fill("Fangxin-Test-2026!");
  await waitForHydration(page);
  await expect(page.getByLabel("统一社会信用代码")).toHaveValue(code);
  await expect(page.getByLabel("单位名称（与营业执照或登记证书一致）")).toHaveValue(name);
  await expect(page.getByLabel("联系人")).toHaveValue("早输入");
  await expect(page.getByLabel("所在乡镇")).toHaveValue("341721100");
  await expect(page.getByLabel("密码", { exact: true })).toHaveValue("Fangxin-Test-2026!");
  await page.getByRole("button", { name: "注册并登录" }).click();
  // A new applicant lands on its working page, 我的申报.
  await expect(page).toHaveURL(/\/apply$/);
  await page.getByTestId("nav-account").click();
  await expect(page.getByTestId("account-facts")).toContainText(code);
  await expect(page.getByTestId("account-facts")).toContainText(name);
  expect(errors).toEqual([]);
});

test("a wizard step typed into before its code has loaded keeps the text and saves it", async ({ page, context }) => {
  await registerApplicant(context, "unit", `东至县早输入向导${Date.now() % 100000}`);
  await startApplication(page);
  const url = page.url();
  await slowWasm(page, 2500);
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.getByLabel("门店或品牌名称").fill("慢网络水果店");
  await page.getByLabel("详细地址").fill("尧渡镇慢网络路1号");
  await waitForHydration(page);
  await expect(page.getByLabel("门店或品牌名称")).toHaveValue("慢网络水果店");
  await expect(page.getByLabel("详细地址")).toHaveValue("尧渡镇慢网络路1号");
  // The step is not complete (the other fields are empty): it stays, with its problems
  // shown, and what was typed is saved all the same.
  await page.getByTestId("next").click();
  await expect(page.getByTestId("wizard")).toHaveAttribute("data-step", "identity");
  await expect(page.locator(".field--invalid").first()).toBeVisible();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved");
  await page.unroute(/\.wasm$/);
  await page.goto(url);
  await expect(page.getByLabel("门店或品牌名称")).toHaveValue("慢网络水果店");
  await expect(page.getByLabel("详细地址")).toHaveValue("尧渡镇慢网络路1号");
});
