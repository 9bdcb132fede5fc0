// Takes full-page screenshots of pages at phone and desktop widths, in both languages.
// Usage: node screenshots.mjs http://127.0.0.1:3000 out-dir /path1 /path2 ...
// With FX_LOGIN and FX_PASSWORD set, signs in first (an applicant, say). With FX_STAFF=1
// too, the account is a demo staff member on a fresh database: its first sign-in sets a
// new password and enrols TOTP. FX_OPEN=1 opens the questions of irreversible steps;
// FX_VIEWPORT=1 takes the first screen instead of the full page.
import { chromium } from "@playwright/test";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";

function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const key = [];
  for (const c of secret.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const h = createHmac("sha1", Buffer.from(key)).update(buf).digest();
  const o = h[19] & 15;
  const bin = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

const STAFF_PASSWORD = "Dongzhi-Shots-2026!";
let signedIn = undefined;
async function staffSteps(request, base) {
  const post = async (path, form) => {
    const res = await request.post(base + path, { form });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return res;
  };
  await post("/api/change_password", { new_password: STAFF_PASSWORD, password_confirm: STAFF_PASSWORD });
  const secret = (await (await post("/api/totp_enrolment", {})).json()).secret;
  await post("/api/confirm_totp", { code: totp(secret) });
}

const [base = "http://127.0.0.1:3000", out = "../target/screenshots", ...paths] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const width of [390, 1440]) {
  for (const lang of ["zh-CN", "en"]) {
    // One sign-in, its session reused by every width and language.
    const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, storageState: signedIn });
    await context.addCookies([{ name: "fx_lang", value: lang, url: base }]);
    if (process.env.FX_LOGIN && !signedIn) {
      const res = await context.request.post(base + "/api/login", {
        form: { login: process.env.FX_LOGIN, password: process.env.FX_PASSWORD ?? "" },
      });
      if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
      if (process.env.FX_STAFF) await staffSteps(context.request, base);
      signedIn = await context.storageState();
    }
    const page = await context.newPage();
    for (const path of paths.length ? paths : ["/"]) {
      await page.goto(base + path, { waitUntil: "networkidle" });
      // FX_OPEN=1: open every question of an irreversible step (forms::ConfirmSubmit) first.
      if (process.env.FX_OPEN) {
        for (const ask of await page.locator('summary[data-testid$="-ask"]').all()) await ask.click();
      }
      const name = (path === "/" ? "home" : path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")) + `-${lang}-${width}.png`;
      // FX_VIEWPORT=1: the first screen only, as a person first sees it.
      await page.screenshot({ path: `${out}/${name}`, fullPage: !process.env.FX_VIEWPORT });
      console.log(`${out}/${name}`);
    }
    await context.close();
  }
}
await browser.close();
