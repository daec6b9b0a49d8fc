// Swagger UI in a real browser (headless Chromium driven by puppeteer-core), against a server
// loaded with the demo data: every operation of the contract is rendered, Authorize takes a
// token, and "Try it out" → "Execute" sends each of a handful of operations to its own path
// and shows the status the server answered.
//
//   ZHENGWU_API=http://127.0.0.1:8080 CHROMIUM=/usr/bin/chromium node swagger-ui.mjs

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const api = process.env.ZHENGWU_API;
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!api) {
  console.error("set ZHENGWU_API to the server, e.g. http://127.0.0.1:8080");
  process.exit(2);
}

const failures = [];
function check(condition, what) {
  if (condition) {
    console.log(`ok - ${what}`);
  } else {
    console.log(`not ok - ${what}`);
    failures.push(what);
  }
}

async function token(username) {
  const r = await fetch(`${api}/api/v1/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "password", username, password: "zhengwu-demo-2026" }),
  });
  if (!r.ok) throw new Error(`login of ${username}: ${r.status}`);
  return (await r.json()).access_token;
}

const doc = await (await fetch(`${api}/api-docs/openapi.json`)).json();
const operations = Object.values(doc.paths).flatMap((item) =>
  ["get", "put", "post", "delete", "patch"]
    .filter((m) => item[m])
    .map((m) => item[m].operationId),
);

const profile = mkdtempSync(join(tmpdir(), "zhengwu-swagger-ui-"));
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: profile,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${api}/swagger-ui/`, { waitUntil: "networkidle0" });
  await page.waitForSelector(".opblock");

  // Every operation has its block: Swagger UI names it operations-<tag>-<operationId>.
  const rendered = await page.$$eval(".opblock", (blocks) => blocks.map((b) => b.id));
  const missing = operations.filter(
    (id) => !rendered.some((r) => r.endsWith(`-${id}`)),
  );
  check(
    missing.length === 0 && rendered.length === operations.length,
    `every operation renders (${rendered.length} blocks for ${operations.length} operations` +
      (missing.length ? `; missing: ${missing.slice(0, 5).join(", ")}` : "") +
      ")",
  );
  check(pageErrors.length === 0, `the page raises no script error ${pageErrors.join("; ")}`);

  // Authorize: the token of a demo account, given once for every operation.
  const bearer = await token("city.admin");
  await page.click(".auth-wrapper .authorize");
  await page.waitForSelector(".modal-ux input");
  await page.type(".modal-ux input", bearer);
  await page.click(".modal-ux .auth-btn-wrapper .authorize");
  await page.waitForSelector(".modal-ux .auth-btn-wrapper .btn-done, .modal-ux .logout");
  const authorized = await page.$eval(".modal-ux", (m) => m.textContent.includes("Authorized"));
  check(authorized, "Authorize takes a bearer token");
  await page.click(".modal-ux .close-modal");

  // Try it out → Execute: the request goes to the operation's own path with its status.
  const tried = [
    ["getMe", "/api/v1/auth/me", 200],
    ["listOrganizations", "/api/v1/organizations", 200],
    ["listDisclosures", "/api/v1/disclosures", 200],
    ["listServiceMatters", "/api/v1/service-matters", 200],
    ["listCases", "/api/v1/cases", 200],
    ["listEnums", "/api/v1/meta/enums", 200],
    // A POST sends its documented example as the body.
    ["createToken", "/api/v1/auth/token", 200],
  ];
  for (const [operationId, path, status] of tried) {
    const block = `.opblock[id$="-${operationId}"]`;
    await page.$eval(block, (b) => b.scrollIntoView());
    await page.click(`${block} .opblock-summary`);
    await page.waitForSelector(`${block} .try-out__btn`);
    await page.click(`${block} .try-out__btn`);
    await page.waitForSelector(`${block} .execute`);
    await page.click(`${block} .execute`);
    await page.waitForSelector(`${block} .live-responses-table tr.response .response-col_status`);
    const shown = await page.$eval(
      `${block} .live-responses-table tr.response .response-col_status`,
      (e) => e.textContent.trim(),
    );
    const url = await page.$eval(`${block} .request-url pre`, (e) => e.textContent.trim());
    const expected = `${api}${path}`;
    check(
      shown.startsWith(String(status)) && (url === expected || url.startsWith(`${expected}?`)),
      `${operationId}: Execute sends ${url} and shows ${shown} (expected ${expected}, ${status})`,
    );
    // Fold the block again, so that the next one is found where it is.
    await page.click(`${block} .opblock-summary`);
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`Swagger UI: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("Swagger UI: every check passed");
