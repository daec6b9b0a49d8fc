/**
 * A typed client of the zhengwu 政务 API: the types of `schema.d.ts`, generated from the
 * contract (`openapi.yaml`) by openapi-typescript, behind a thin openapi-fetch wrapper that
 * sends the access token and turns problem answers into errors where asked.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Every schema of the contract, by name: `Schemas["CaseDto"]`. */
export type Schemas = components["schemas"];

/** An error answer (RFC 9457 problem details with a stable `code`). */
export type Problem = Schemas["Problem"];

export type ZhengwuClient = Client<paths>;

export interface ZhengwuClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`; the paths of the contract start with `/api/v1`. */
  baseUrl: string;
  /** The access token to send, read before every request (so a refreshed token is used). */
  accessToken?: () => string | undefined;
  /** The fetch to use; the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client whose every call is typed by the contract: `client.GET("/api/v1/cases", …)`. */
export function createZhengwuClient(options: ZhengwuClientOptions): ZhengwuClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = options.accessToken?.();
      if (token) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  };
  client.use(bearer);
  return client;
}

/** A problem answer, thrown by {@link expectOk}. */
export class ZhengwuError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(
      problem
        ? `${status} ${problem.code}: ${problem.detail ?? problem.title}`
        : `HTTP ${status} without a problem body`,
    );
    this.name = "ZhengwuError";
    this.status = status;
    this.problem = problem;
  }
}

/** The answer of an openapi-fetch call: its data, or a {@link ZhengwuError}. */
export function expectOk<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) {
    return answer.data;
  }
  throw new ZhengwuError(answer.response.status, answer.error as Problem | undefined);
}

/** The `If-Match` value of a resource's `version` (its `ETag`). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** Logs in with a username and password; returns the token answer. */
export async function loginWithPassword(
  client: ZhengwuClient,
  username: string,
  password: string,
): Promise<Schemas["TokenResponse"]> {
  return expectOk(
    await client.POST("/api/v1/auth/token", {
      body: { grant_type: "password", username, password },
    }),
  );
}
