// Back-to-back requests through Node's built-in fetch (undici), which pools
// and reuses connections, as the providers' official Node SDKs do. Prints
// one JSON line: {"ok": N, "errors": N, "codes": {...}, "statuses": {...}}.
// A socket error is any rejected fetch (UND_ERR_SOCKET, "fetch failed", ...).
//
// usage: node keepalive_fetch.mjs COUNT METHOD URL HEADERS_JSON BODY ...
//   the (METHOD URL HEADERS BODY) groups, all four given ("" for none),
//   are taken in turn, COUNT requests in all.
const count = Number(process.argv[2]);
const groups = [];
for (let i = 3; i + 3 < process.argv.length; i += 4)
  groups.push({ method: process.argv[i], url: process.argv[i + 1],
                headers: JSON.parse(process.argv[i + 2] || "{}"), body: process.argv[i + 3] || undefined });
let ok = 0, errors = 0;
const codes = {}, statuses = {};
for (let i = 0; i < count; i++) {
  const g = groups[i % groups.length];
  try {
    const r = await fetch(g.url, { method: g.method, headers: g.headers,
                                   body: g.method === "GET" ? undefined : g.body });
    await r.arrayBuffer(); // the body is read: the socket may go back to the pool
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    ok++;
  } catch (e) {
    errors++;
    const c = (e.cause && (e.cause.code || e.cause.message)) || e.message;
    codes[c] = (codes[c] || 0) + 1;
  }
}
console.log(JSON.stringify({ ok, errors, codes, statuses }));
