// Solves one problem through the generated TypeScript client (openapi-typescript types and
// openapi-fetch): `node build/ts/tests/ts/solve.mjs <base-url> <problem>` prints the answer as JSON.
import createClient from "openapi-fetch";
import type { paths } from "../../clients/typescript/schema.js";

const [baseUrl, problem] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl });

const { data, error, response } = await client.POST("/solve", { body: { problem, n: 8, seed: 1 } });
if (error !== undefined || data === undefined || typeof data !== "object" || !("answer" in data)) {
  // (The 200 is the JSON body, or server-sent events when the body asks for a stream.)
  console.error(response.status, JSON.stringify(error));
  process.exit(1);
}
// The generated types make these fields typed: a renamed field fails tsc, not the run.
const answer: string | null = data.answer;
const summary: string = data.summary;
console.log(JSON.stringify({ answer, summary, n: data.n }));

const ready = await client.GET("/ready");
console.log(JSON.stringify({ ready: ready.data?.status }));
