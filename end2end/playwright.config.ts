import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot work on these machines.
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const oneDevice = process.env.FANGXIN_E2E_DEVICES === "one";
const port = process.env.FANGXIN_E2E_PORT ?? "3100";
const baseURL = process.env.FANGXIN_BASE_URL ?? `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    },
  },
  // The release binary on a fresh database of its own (SQLite in a temporary folder,
  // or the PostgreSQL URL that scripts/test.sh passes).
  webServer: process.env.FANGXIN_BASE_URL
    ? undefined
    : {
        // The demo county first (fangxin-tools, apart from the product), then the server.
        command: `"${process.env.FANGXIN_TOOLS_BIN}" seed-demo && exec "${process.env.FANGXIN_BIN}" serve --listen 127.0.0.1:${port} --site-root "${process.env.FANGXIN_SITE_ROOT}"`,
        url: `${baseURL}/healthz`,
        timeout: 60_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          FANGXIN_DATA_DIR: process.env.FANGXIN_E2E_DATA_DIR ?? "../target/e2e-data",
          ...(process.env.FANGXIN_E2E_DATABASE_URL ? { DATABASE_URL: process.env.FANGXIN_E2E_DATABASE_URL } : {}),
          // Uploaded files in S3-compatible storage instead of the data folder (scripts/test.sh
          // does this for the PostgreSQL run).
          FANGXIN_S3_ENDPOINT: process.env.FANGXIN_S3_ENDPOINT ?? "",
          FANGXIN_S3_BUCKET: process.env.FANGXIN_S3_BUCKET ?? "fangxin",
          // Lets the whole-cycle test move the business date with `fangxin clock`
          // (a notice period across the 2026 National Day holiday).
          FANGXIN_TEST_CLOCK: "1",
          // Both device projects sign in many times a minute from 127.0.0.1; the limit
          // itself is tested in server/tests/access.rs.
          FANGXIN_AUTH_RATE_LIMIT: "10000",
        },
      },
  // A journey tagged @phone is walked at 390 px only (applicants, consumers), one tagged
  // @desktop at 1440 px only (staff at a desk); the rest run on both devices. With
  // FANGXIN_E2E_DEVICES=one (the test command's second database), those run once, on the
  // phone: every test still meets that database, and the layouts are already checked
  // against the first.
  projects: [
    {
      name: "phone",
      use: { ...devices["Pixel 5"], viewport: { width: 390, height: 844 } },
      grepInvert: /@desktop/,
    },
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 } },
      ...(oneDevice ? { grep: /@desktop/ } : { grepInvert: /@phone/ }),
    },
  ],
});
