import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { expect, Page, TestInfo } from "@playwright/test";
import { waitForHydration } from "./helpers";

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A unified social credit code with a correct check character (GB 32100). */
export function creditCode(seed: number): string {
  let body = "91341721MA";
  let x = seed;
  for (let i = 0; i < 7; i++) {
    body += ALPHABET[x % 31];
    x = Math.floor(x / 31) + 7 * (i + 1);
  }
  const sum = [...body].reduce((s, c, i) => s + ALPHABET.indexOf(c) * WEIGHTS[i], 0);
  return body + ALPHABET[(31 - (sum % 31)) % 31];
}

/** The same code with its check character changed: the kind of typo the form must catch. */
export function withWrongCheck(code: string): string {
  const last = ALPHABET.indexOf(code[17]);
  return code.slice(0, 17) + ALPHABET[(last + 1) % 31];
}

function base32Decode(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 code, `stepOffset` steps of 30 s from now. */
export function totp(secret: string, stepOffset = 0): string {
  const counter = Math.floor(Date.now() / 1000 / 30) + stepOffset;
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", base32Decode(secret)).update(buf).digest();
  const o = h[19] & 15;
  const bin = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

/** Unique per test run and device project, so both projects can share one database. */
export function unique(info: TestInfo, prefix: string): string {
  return `${prefix}-${info.project.name}-${Date.now().toString(36)}`.toLowerCase();
}

/** Creates a staff account with the CLI, against the server's own database. */
export function createStaff(login: string, role: string, area: string, password: string) {
  const args = ["--data-dir", process.env.FANGXIN_E2E_DATA_DIR ?? "../target/e2e-data"];
  if (process.env.FANGXIN_E2E_DATABASE_URL) args.push("--database-url", process.env.FANGXIN_E2E_DATABASE_URL);
  args.push("create-staff", "--login", login, "--name", `测试 ${role}`, "--role", role, "--area", area,
    "--mobile", "13905660000", "--password", password);
  execFileSync(process.env.FANGXIN_BIN!, args, { env: { ...process.env, FANGXIN_LOG: "error" } });
}

export const NEW_PASSWORD = "Dongzhi-Staff-2026!";

/** Signs a new staff member in for the first time: new password, TOTP enrolment. Returns the TOTP secret. */
export async function firstStaffSignIn(page: Page, login: string, tempPassword: string): Promise<string> {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("账号").fill(login);
  await page.getByLabel("密码", { exact: true }).fill(tempPassword);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await waitForHydration(page);
  await page.getByLabel("新密码", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("再次输入新密码").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "保存新密码" }).click();
  await expect(page).toHaveURL(/\/account\/totp$/);
  await waitForHydration(page);
  await expect(page.locator(".totp__qr svg")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("动态验证码（6位）").fill(totp(secret));
  await page.getByRole("button", { name: "验证" }).click();
  // Signed in: the role's working page (or the page asked for), never a setup step.
  await expect(page).not.toHaveURL(/\/(account\/totp|account\/password|login)/);
  await waitForHydration(page);
  await page.getByTestId("nav-account").click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-facts")).toContainText("已启用");
  return secret;
}

/** Where each role lands after signing in (domain::navigation::working_page). */
export const WORKING_PAGE: Record<string, string> = {
  applicant: "/apply",
  township_reviewer: "/review",
  panel_member: "/scoring",
  county_office: "/dashboard",
  leader: "/dashboard",
  system_admin: "/admin/users",
  security_admin: "/security",
  audit_admin: "/audit",
  member_unit_staff: "/account",
};

/** A staff member ready to work: created, first sign-in done. */
export async function staffReady(page: Page, info: TestInfo, role: string, area: string): Promise<string> {
  const login = unique(info, role.replace("_", ""));
  const temp = "Temp-Pass-2026!";
  createStaff(login, role, area, temp);
  await firstStaffSignIn(page, login, temp);
  return login;
}

/** Sets the server's business date (`null`: the real date again). The e2e server runs
 *  with FANGXIN_TEST_CLOCK=1, so notices and deadlines follow it. */
export function setClock(date: string | null) {
  const args = ["--data-dir", process.env.FANGXIN_E2E_DATA_DIR ?? "../target/e2e-data"];
  if (process.env.FANGXIN_E2E_DATABASE_URL) args.push("--database-url", process.env.FANGXIN_E2E_DATABASE_URL);
  args.push("clock", ...(date ? ["--today", date] : ["--clear"]));
  execFileSync(process.env.FANGXIN_BIN!, args, { env: { ...process.env, FANGXIN_LOG: "error" } });
}
