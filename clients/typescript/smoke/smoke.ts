/**
 * A short journey through the typed client against a server loaded with the demo data
 * (`zhengwu demo`): log in, read lists, apply online for a published service matter as an
 * applicant and accept the case at the hall as a clerk. Exits non-zero on the first surprise.
 *
 *   ZHENGWU_API=http://127.0.0.1:8080 node dist/smoke/smoke.js
 */
import {
  createZhengwuClient,
  expectOk,
  ifMatch,
  loginWithPassword,
  type Schemas,
  type ZhengwuClient,
} from "../src/index.js";

const DEMO_PASSWORD = "zhengwu-demo-2026";

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`smoke: ${what}`);
  }
  console.log(`ok - ${what}`);
}

/** A client that logs in as `username` and sends that account's token. */
async function session(baseUrl: string, username: string): Promise<ZhengwuClient> {
  let token: string | undefined;
  const client = createZhengwuClient({ baseUrl, accessToken: () => token });
  token = (await loginWithPassword(client, username, DEMO_PASSWORD)).access_token;
  return client;
}

async function main(): Promise<void> {
  const baseUrl = process.env.ZHENGWU_API;
  if (!baseUrl) {
    throw new Error("set ZHENGWU_API to the server, e.g. http://127.0.0.1:8080");
  }

  const admin = await session(baseUrl, "city.admin");
  const me = expectOk(await admin.GET("/api/v1/auth/me"));
  check(me.user?.username === "city.admin", "city.admin logs in and reads its account");
  const orgs = expectOk(
    await admin.GET("/api/v1/organizations", { params: { query: { limit: 5 } } }),
  );
  check(orgs.items.length > 0 && orgs.items.length <= 5, "the organisation list is a page");

  const anonymous = createZhengwuClient({ baseUrl });
  const matters = expectOk(
    await anonymous.GET("/api/v1/service-matters", {
      params: { query: { q: "施工许可" } },
    }),
  );
  const matter = matters.items.find((m) => m.state === "published");
  check(matter !== undefined, "the public catalogue lists a published matter");
  const guide: Schemas["ServiceGuide"] = expectOk(
    await anonymous.GET("/api/v1/service-matters/{id}/guide", {
      params: { path: { id: matter!.id } },
    }),
  );
  check(guide.materials.length > 0, "its service guide lists the materials");

  const applicant = await session(baseUrl, "zhang.san");
  const created = expectOk(
    await applicant.POST("/api/v1/cases", {
      params: { header: { "Idempotency-Key": `smoke-${Date.now()}` } },
      body: {
        matter_ids: [guide.id],
        channel: "web",
        materials: guide.materials.map((m) => ({ name: m.name, copies: m.copies })),
      },
    }),
  );
  check(created.state === "submitted", `zhang.san applies online: case ${created.number}`);
  check(created.query_password.length > 0, "the application answers a query password");

  const clerk = await session(baseUrl, "city.clerk.a");
  const inbox = expectOk(
    await clerk.GET("/api/v1/cases", { params: { query: { state: "submitted" } } }),
  );
  check(
    inbox.items.some((c) => c.id === created.id),
    "the clerk at the hall sees the case among the submitted ones",
  );
  const accepted = expectOk(
    await clerk.POST("/api/v1/cases/{id}/accept", {
      params: { path: { id: created.id }, header: { "If-Match": ifMatch(created.version) } },
      body: { note: "材料齐全，予以受理" },
    }),
  );
  check(accepted.state === "accepted", "the clerk accepts it (受理)");
  check(accepted.clock.due_date != null, `its due date is set: ${accepted.clock.due_date}`);

  const stale = await clerk.POST("/api/v1/cases/{id}/accept", {
    params: { path: { id: created.id }, header: { "If-Match": ifMatch(created.version) } },
    body: {},
  });
  check(
    stale.response.status === 412 && stale.error?.code === "precondition.stale_version",
    "accepting again with the old version is refused (412), as a typed problem",
  );
  const mine = expectOk(
    await applicant.GET("/api/v1/cases/{id}", { params: { path: { id: created.id } } }),
  );
  check(mine.state === "accepted", "the applicant reads the case as accepted");
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
