import { test, expect, Page } from "@playwright/test";
import { axeFindings, waitForHydration } from "./helpers";

// WCAG 2.1 AA on every public page, in both languages: axe-core finds no violation, and
// the pages work from the keyboard with a visible focus.

/** Every public page, with real ids and tokens found through the site itself. */
async function publicPages(page: Page): Promise<string[]> {
  await page.goto("/units?q=%E7%99%BE%E4%BD%B3");
  const unit = (await page.getByTestId("directory-unit").first().getByRole("link").getAttribute("href"))!;
  await page.goto(unit);
  const verify = (await page.getByTestId("unit-verify-link").getAttribute("href"))!;
  const token = verify.split("/").pop()!;
  await page.goto("/notice");
  const notice = (await page.getByTestId("public-notices").getByRole("link").first().getAttribute("href"))!;
  return [
    "/",
    "/units",
    "/units?township=341721101&category=unit&ended=1",
    "/units?q=%E6%B2%A1%E6%9C%89",
    unit,
    "/indicators?category=unit",
    "/indicators?category=village",
    "/notice",
    notice,
    "/revocations",
    "/complain",
    `/complain?unit=${token}`,
    "/track",
    verify,
    `/verify/${"0".repeat(32)}`,
    `/certificate/${token}`,
    "/login",
    "/register",
  ];
}

for (const lang of ["zh-CN", "en"]) {
  test(`axe finds no WCAG 2.1 AA violation on any public page (${lang})`, async ({ page }) => {
    test.setTimeout(180_000);
    const pages = await publicPages(page);
    if (lang === "en") await page.goto("/lang/en?next=/");
    const found: string[] = [];
    for (const path of pages) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      found.push(...(await axeFindings(page, path)));
    }
    expect(found).toEqual([]);
  });
}

test("the public pages work from the keyboard, with a visible focus", { tag: "@desktop" }, async ({ page }) => {
  // A phone has no Tab key.
  await page.goto("/");
  await waitForHydration(page);
  // The first Tab reaches the skip link, shown with a focus ring; Enter skips to the content.
  await page.keyboard.press("Tab");
  const skip = page.locator(".skip-link");
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  const ring = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(ring).not.toBe("none");
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();

  // The directory: search by keyboard alone, then open a unit with Enter.
  await page.goto("/units");
  await waitForHydration(page);
  const search = page.getByTestId("directory-search");
  for (let i = 0; i < 40 && !(await search.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(search).toBeFocused();
  await page.keyboard.type("老徽州");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=/);
  const link = page.getByTestId("directory-unit").first().getByRole("link");
  await link.focus();
  const outline = await link.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("unit-name")).toContainText("老徽州菜馆");
});
