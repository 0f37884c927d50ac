// Drives fal's own client (@fal-ai/client) through the gateway's proxy facade, one scenario per run, and prints
// what the client saw as one JSON line. Run by FalJsClientTests: node drive.mjs <scenario>, with GATEWAY_URL and
// TEAM_KEY in the environment (REQUEST_ID for result).
import { ApiError, ValidationError, createFalClient } from "@fal-ai/client";

const ENDPOINT = "fal-ai/ltx23-trainer-v2/interpolate";
const gateway = process.env.GATEWAY_URL;
const input = JSON.parse(process.env.INPUT ?? "{}");

function client(credentials) {
  return createFalClient({
    credentials,
    proxyUrl: { url: `${gateway}/api/fal/proxy`, when: "always" },
  });
}

const fal = client(process.env.TEAM_KEY);

async function untilCompleted(requestId) {
  for (;;) {
    const status = await fal.queue.status(ENDPOINT, { requestId, logs: true });
    if (status.status === "COMPLETED") {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function failure(error) {
  return {
    name: error.constructor.name,
    isValidationError: error instanceof ValidationError,
    isApiError: error instanceof ApiError,
    status: error.status,
    fieldErrors: error instanceof ValidationError ? error.fieldErrors : undefined,
    body: error.body,
  };
}

const scenarios = {
  async subscribe() {
    const statuses = [];
    let logLines = 0;
    const result = await fal.subscribe(ENDPOINT, {
      input,
      logs: true,
      pollInterval: 200,
      onQueueUpdate(update) {
        statuses.push(update.status);
        if (Array.isArray(update.logs)) {
          logLines = Math.max(logLines, update.logs.length);
        }
      },
    });
    return { requestId: result.requestId, data: result.data, statuses: [...new Set(statuses)], logLines };
  },

  async result() {
    const result = await fal.queue.result(ENDPOINT, { requestId: process.env.REQUEST_ID });
    return { data: result.data };
  },

  async queue() {
    const submitted = await fal.queue.submit(ENDPOINT, { input });
    const first = await fal.queue.status(ENDPOINT, { requestId: submitted.request_id });
    const completed = await untilCompleted(submitted.request_id);
    const result = await fal.queue.result(ENDPOINT, { requestId: submitted.request_id });
    return { submitted, first: first.status, completed: completed.status, logLines: completed.logs?.length ?? 0, result };
  },

  async cancel() {
    const submitted = await fal.queue.submit(ENDPOINT, { input });
    await fal.queue.cancel(ENDPOINT, { requestId: submitted.request_id });
    const completed = await untilCompleted(submitted.request_id);
    let result;
    try {
      await fal.queue.result(ENDPOINT, { requestId: submitted.request_id });
      result = { ok: true };
    } catch (error) {
      result = failure(error);
    }
    return { requestId: submitted.request_id, completed, result };
  },

  async stream() {
    const submitted = await fal.queue.submit(ENDPOINT, { input });
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: submitted.request_id, logs: true });
    const statuses = [];
    stream.on("data", (event) => statuses.push(event.status));
    const last = await stream.done();
    return { requestId: submitted.request_id, statuses: [...new Set(statuses)], last };
  },

  async upload() {
    const zip = await import("node:fs").then((fs) => fs.readFileSync(process.env.ZIP_FILE));
    const url = await fal.storage.upload(new Blob([zip], { type: "application/zip" }));
    const result = await fal.subscribe(ENDPOINT, { input: { ...input, training_data_url: url }, pollInterval: 200 });
    return { url, requestId: result.requestId, data: result.data };
  },

  async invalid() {
    try {
      await fal.queue.submit(ENDPOINT, { input });
      return { ok: true };
    } catch (error) {
      return failure(error);
    }
  },

  async badKey() {
    try {
      await client("ltx_live_not_a_key_of_this_gateway").queue.submit(ENDPOINT, { input });
      return { ok: true };
    } catch (error) {
      return failure(error);
    }
  },
};

const scenario = scenarios[process.argv[2]];
if (!scenario) {
  console.error(`unknown scenario ${process.argv[2]}; one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await scenario()));
} catch (error) {
  console.log(JSON.stringify({ unexpected: failure(error), message: String(error) }));
  process.exit(1);
}
