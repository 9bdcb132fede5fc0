import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";

test.describe("the home page", () => {
  test("is served in Chinese with the open batch and the four categories", async ({ page }) => {
    const errors = watchConsole(page);
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("新一轮放心消费创建活动");
    await expect(page.getByTestId("open-batch")).toContainText("东至县2026—2027年度放心消费创建");
    await expect(page.getByTestId("open-batch")).toContainText("2026年9月1日 至 2027年3月31日");
    const categories = page.locator("[data-category]");
    await expect(categories).toHaveCount(4);
    await expect(categories.nth(0)).toContainText("放心消费示范单位");
    await expect(categories.nth(1)).toContainText("放心消费示范街区");
    await expect(categories.nth(2)).toContainText("放心消费示范行业协会（商会）");
    await expect(categories.nth(3)).toContainText("放心消费示范乡村（社区）");
    await expect(categories.nth(1)).toContainText("县文旅局");
    await waitForHydration(page);
    expect(errors).toEqual([]);
  });

  test("reaches a visitor as finished HTML with no WASM to download", async ({ page }) => {
    const wasm: string[] = [];
    page.on("request", (r) => { if (/\.(wasm|js)$/.test(r.url())) wasm.push(r.url()); });
    await page.goto("/");
    await expect(page.locator("body")).toHaveAttribute("data-static", "true");
    await expect(page.getByTestId("public-figures")).toBeVisible();
    expect(wasm).toEqual([]);
  });
});

test("a hydrated page switches language in place, and remembers it", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await waitForHydration(page);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // A marker on window survives only if the switch does not reload the page.
  await page.evaluate(() => ((window as any).__noReload = true));

  await page.getByTestId("lang-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await expect(page).toHaveTitle(/Trusted Consumption in Dongzhi/);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // The choice is kept in a cookie, so the server renders English next time, on every page.
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "The new round of the trusted-consumption campaign",
  );
  await expect(page.getByTestId("open-batch")).toContainText("1 Sep 2026 – 31 Mar 2027");
  await expect(page.locator("[data-category]").nth(0)).toContainText("Trusted-consumption model business");
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录");
  expect(errors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the language switch still works through the server", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("新一轮放心消费创建活动");
    await page.getByTestId("lang-switch").click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "The new round of the trusted-consumption campaign",
    );
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });
});

test("an unknown address gets the 404 page with a 404 status", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("页面不存在");
  await page.getByRole("link", { name: "返回首页" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("新一轮放心消费创建活动");
});

test("health and metrics endpoints answer", async ({ request }) => {
  const health = await request.get("/healthz");
  expect(health.status()).toBe(200);
  const body = await health.json();
  expect(body.database).toBe("ok");

  await request.get("/");
  const metrics = await request.get("/metrics");
  expect(metrics.status()).toBe(200);
  const text = await metrics.text();
  expect(text).toContain("# TYPE fangxin_http_requests_total counter");
  expect(text).toMatch(/fangxin_http_requests_total\{route="\/",method="GET",status="200"\} \d+/);
});

test("pages and assets are served compressed; hashed assets are cached for long", async ({ page, request }) => {
  const html = await request.get("/", { headers: { "Accept-Encoding": "br, gzip" } });
  expect(html.headers()["content-encoding"]).toBe("br");
  expect(html.headers()["cache-control"]).toBe("no-cache");

  // A page that hydrates (the public portal reaches visitors without the WASM).
  await page.goto("/login");
  // The WASM is fetched by the hydration script after the load event: wait for it.
  await waitForHydration(page);
  const wasmUrl = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => e.name).find((n) => n.endsWith(".wasm")),
  );
  expect(wasmUrl).toBeTruthy();
  const wasm = await request.get(wasmUrl!, { headers: { "Accept-Encoding": "gzip" } });
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()["content-encoding"]).toBe("gzip");
  expect(wasm.headers()["cache-control"]).toContain("immutable");
});
