// Takes full-page screenshots of pages at phone and desktop widths, in both languages.
// Usage: node screenshots.mjs http://127.0.0.1:3000 out-dir /path1 /path2 ...
// With FX_LOGIN and FX_PASSWORD set, signs in first (an applicant, say).
import { chromium } from "@playwright/test";
import { mkdirSync } from "node:fs";

const [base = "http://127.0.0.1:3000", out = "../target/screenshots", ...paths] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const width of [390, 1440]) {
  for (const lang of ["zh-CN", "en"]) {
    const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
    await context.addCookies([{ name: "fx_lang", value: lang, url: base }]);
    if (process.env.FX_LOGIN) {
      const res = await context.request.post(base + "/api/login", {
        form: { login: process.env.FX_LOGIN, password: process.env.FX_PASSWORD ?? "" },
      });
      if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
    }
    const page = await context.newPage();
    for (const path of paths.length ? paths : ["/"]) {
      await page.goto(base + path, { waitUntil: "networkidle" });
      const name = (path === "/" ? "home" : path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")) + `-${lang}-${width}.png`;
      await page.screenshot({ path: `${out}/${name}`, fullPage: true });
      console.log(`${out}/${name}`);
    }
    await context.close();
  }
}
await browser.close();
