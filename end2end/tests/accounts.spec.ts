import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { creditCode, withWrongCheck, unique, createStaff, firstStaffSignIn, staffReady, totp, NEW_PASSWORD } from "./support";

const PASSWORD = "Fangxin-Test-2026!";

async function fillRegistration(page: import("@playwright/test").Page, code: string, name: string) {
  await page.getByLabel("统一社会信用代码").fill(code);
  await page.getByLabel("单位名称（与营业执照或登记证书一致）").fill(name);
  await page.getByLabel("创建类别").selectOption("unit");
  await page.getByLabel("所在乡镇").selectOption({ label: "尧渡镇" });
  await page.getByLabel("联系人").fill("王芳");
  await page.getByLabel("联系手机").fill("138 1234 5678");
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByLabel("再次输入新密码").fill(PASSWORD);
}

async function register(page: import("@playwright/test").Page, code: string, name: string) {
  await page.goto("/register");
  await waitForHydration(page);
  await fillRegistration(page, code, name);
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page).toHaveURL(/\/apply$/);
}

test("registration with a wrong credit code names the field and keeps everything typed", async ({ page }, info) => {
  const errors = watchConsole(page);
  const code = creditCode(Date.now() % 1_000_000 + (info.project.name === "phone" ? 1 : 2));
  const name = `东至县尧渡镇测试商店 ${unique(info, "r")}`;
  await page.goto("/register");
  await waitForHydration(page);
  await fillRegistration(page, withWrongCheck(code), name);

  // Instant check in the browser, with the same rule the server applies.
  await page.getByLabel("联系人").focus();
  const codeField = page.locator('[data-field="input[credit_code]"]');
  await expect(codeField.locator(".field__error")).toContainText("统一社会信用代码：校验位不符");

  // The server refuses it too, and nothing typed is lost.
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByTestId("form-error")).toContainText("请按提示修改标红的内容");
  await expect(codeField.locator(".field__error")).toContainText("校验位不符");
  await expect(page.getByLabel("单位名称（与营业执照或登记证书一致）")).toHaveValue(name);
  await expect(page.getByLabel("联系手机")).toHaveValue("138 1234 5678");
  await expect(page.getByLabel("密码", { exact: true })).toHaveValue(PASSWORD);
  await expect(page.getByLabel("所在乡镇")).toHaveValue("341721100");

  await page.getByLabel("统一社会信用代码").fill(code.toLowerCase());
  await page.getByRole("button", { name: "注册并登录" }).click();
  // A new applicant lands on its working page, 我的申报.
  await expect(page).toHaveURL(/\/apply$/);
  await page.getByTestId("nav-account").click();
  await expect(page.getByTestId("account-role")).toHaveText("创建申报单位");
  await expect(page.getByTestId("account-facts")).toContainText(code);
  expect(errors).toEqual([]);
});

test("five wrong passwords lock the account for 15 minutes", async ({ page }, info) => {
  const code = creditCode(Date.now() % 1_000_000 + (info.project.name === "phone" ? 11 : 12));
  await register(page, code, `锁定测试 ${unique(info, "l")}`);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();

  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("账号").fill(code);
  for (let i = 1; i <= 4; i++) {
    await page.getByLabel("密码", { exact: true }).fill(`Wrong-Pass-${i}!`);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByTestId("form-error")).toContainText("账号或密码不正确");
  }
  await page.getByLabel("密码", { exact: true }).fill("Wrong-Pass-5!");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("form-error")).toContainText("账号已临时锁定15分钟");
  // Even the right password is refused while locked.
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("form-error")).toContainText("账号已临时锁定15分钟");
  await expect(page).toHaveURL(/\/login$/);
});

test("staff set a password and enrol TOTP at first sign-in, then sign in with a code", async ({ page }, info) => {
  const errors = watchConsole(page);
  const login = unique(info, "admin");
  createStaff(login, "system_admin", "341721", "Temp-Pass-2026!");
  const secret = await firstStaffSignIn(page, login, "Temp-Pass-2026!");
  await expect(page.getByTestId("account-role")).toHaveText("系统管理员");

  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("账号").fill(login);
  await page.getByLabel("密码", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/login\/totp$/);
  await waitForHydration(page);
  // A code already used is refused; the next one is accepted.
  await page.getByLabel("动态验证码（6位）").fill("000000");
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.locator('[data-field="code"] .field__error')).toContainText("验证码不正确");
  await page.getByLabel("动态验证码（6位）").fill(totp(secret, 1));
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);

  await page.getByRole("link", { name: "用户管理" }).click();
  await expect(page.getByTestId("users-table")).toContainText(login);
  expect(errors).toEqual([]);
});

test("a township reviewer sees only their township's applicants", async ({ page }) => {
  await staffReady(page, test.info(), "township_reviewer", "341721100");
  await page.getByRole("link", { name: "申报单位" }).click();
  const table = page.getByTestId("organisations-table");
  await expect(table).toContainText("东至县尧渡镇惠民超市有限公司");
  await expect(table).not.toContainText("陶公酒家");
  await expect(table).toContainText("138****");

  // Opening Dongliu's applicant by its address is refused.
  await page.goto("/organisations/5");
  await expect(page.getByTestId("organisation-error")).toContainText("您没有权限");
  await expect(page.getByTestId("organisation-facts")).toHaveCount(0);

  // Its own applicant opens, masked until asked, and unmasking is audited.
  await page.goto("/organisations/1");
  await expect(page.getByTestId("organisation-mobile")).toContainText("****");
  await page.getByRole("link", { name: "查看完整号码" }).click();
  await expect(page.getByTestId("organisation-mobile")).not.toContainText("****");
});

test("the audit administrator verifies the hash chain", async ({ page }) => {
  await staffReady(page, test.info(), "audit_admin", "341721");
  await page.getByRole("link", { name: "审计日志" }).click();
  await expect(page.getByTestId("audit-table")).toContainText("login.success");
  await waitForHydration(page);
  await page.getByTestId("verify-chain").click();
  await expect(page.getByTestId("chain-result")).toContainText("哈希链完整");
});

test("pages for staff send an anonymous visitor to sign in", async ({ page }) => {
  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/login\?next=\/admin\/users$/);
});

test("signing in goes back to the page asked for, and only ever to a page of this site", async ({ page }, info) => {
  const code = creditCode(Date.now() % 1_000_000 + (info.project.name === "phone" ? 21 : 22));
  await register(page, code, `回跳测试 ${unique(info, "n")}`);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();

  // A page for signed-in users, with its query: sign in, and land on it.
  await page.goto("/inbox?from=mail");
  await expect(page).toHaveURL(/\/login\?next=\/inbox%3Ffrom%3Dmail$/);
  await waitForHydration(page);
  await page.getByLabel("账号").fill(code);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/inbox\?from=mail$/);

  // A `next` that leaves the site is ignored: the applicant's working page instead.
  for (const evil of ["//evil.example", "/%09/evil.example", "https://evil.example/"]) {
    await page.getByTestId("nav-logout").click();
    await expect(page.getByTestId("nav-login")).toBeVisible();
    await page.goto(`/login?next=${evil}`);
    await waitForHydration(page);
    await page.getByLabel("账号").fill(code);
    await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/apply$/);
  }
});

test("the security administrator edits the session and lockout policy", async ({ page }) => {
  await staffReady(page, test.info(), "security_admin", "341721");
  await page.getByRole("link", { name: "安全策略" }).click();
  await waitForHydration(page);
  await expect(page.getByLabel("锁定前允许的连续失败次数")).toHaveValue("5");
  await page.getByLabel("空闲超时（分钟）").fill("500");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("form-error")).toBeVisible();
  await expect(page.locator(".field--invalid")).toContainText("空闲超时（分钟）");
  await page.getByLabel("空闲超时（分钟）").fill("30");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("security-saved")).toBeVisible();
});
