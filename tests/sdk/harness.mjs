// Shared by the SDK suites (tests/sdk/*.test.mjs, issue 11): start
// `dialsim serve` with a config of our own on free loopback ports, hand the
// suite the mocks' base URL — the one thing a user changes in their SDK
// client — and stop the server by its PID when the suite ends.
//
// DIALSIM_BIN names the binary (ctest sets it).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import { webcrypto } from "node:crypto";

// Node 18 (Debian 12's) has the Web Crypto API only as crypto.webcrypto;
// retell-sdk's Retell.verify looks for the global one that Node 19+ sets.
// A user on Node 18 sets it the same way.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

export async function startServe(config, extra = []) {
  const bin = process.env.DIALSIM_BIN;
  if (!bin) throw new Error("DIALSIM_BIN is not set (ctest sets it to the built dialsim)");
  const dir = mkdtempSync(join(tmpdir(), "dialsim-sdk-"));
  const cfg = join(dir, "cfg.json");
  writeFileSync(cfg, JSON.stringify(config));
  const logPath = join(dir, "serve.log");
  const proc = spawn(bin, ["serve", "--port", "0", "--db", ":memory:", "--config", cfg, ...extra],
                     { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; if (log.length > 200000) log = log.slice(-100000); });
  const lines = [];
  await new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("dialsim serve did not start: " + log.slice(-2000))), 30000);
    proc.stdout.on("data", (d) => {
      buf += d;
      for (;;) {
        const i = buf.indexOf("\n");
        if (i < 0) break;
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      if (lines.length >= 2) { clearTimeout(timer); resolve(); }
    });
    proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`dialsim serve exited ${code}: ${log.slice(-2000)}`)); });
  });
  const api = lines[0].replace(/^listening on /, "");
  const mocks = lines[1].replace(/^mocks on /, "");
  return {
    api, mocks, proc,
    log: () => log,
    // what the mocks received (GET /_dialsim/journal), for checks beyond the SDK's answer
    journal: async (since = 0) => (await fetch(`${mocks}/_dialsim/journal?since=${since}`)).json(),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.removeAllListeners("exit");
      proc.on("exit", (code, sig) => resolve(code ?? sig));
      proc.kill("SIGTERM");
    }),
  };
}

// A webhook receiver on a free loopback port: the user's own server.
// Returns { url, received: [{headers, body, raw}], next(pred, ms) }.
export async function startReceiver(answer = () => [200, "{}"]) {
  const received = [];
  const waiters = [];
  const srv = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => { raw += d; });
    req.on("end", () => {
      let body = null;
      try { body = JSON.parse(raw); } catch { /* kept raw */ }
      const item = { headers: req.headers, body, raw, path: req.url };
      received.push(item);
      for (const w of waiters.splice(0)) w();
      const [status, text] = answer(item);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${srv.address().port}`;
  // wait until an item satisfies pred (a deadline, not a sleep)
  const next = async (pred, ms = 10000) => {
    const until = Date.now() + ms;
    for (;;) {
      const hit = received.find(pred);
      if (hit) return hit;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no matching webhook within ${ms} ms; got ${received.length}: ` +
                                     JSON.stringify(received.map((r) => r.body)).slice(0, 1500));
      await new Promise((r) => { const t = setTimeout(r, left); waiters.push(() => { clearTimeout(t); r(); }); });
    }
  };
  return { url, received, next, close: () => new Promise((r) => srv.close(r)) };
}

// Poll a read until pred holds (a deadline, not a sleep): calls ring in real time.
export async function until(read, pred, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await read();
    if (pred(last)) return last;
    if (Date.now() > end) throw new Error("timed out; last: " + JSON.stringify(last).slice(0, 1500));
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}
