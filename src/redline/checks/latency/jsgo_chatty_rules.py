"""Chatty RPC in JavaScript/TypeScript and Go (LAT257-LAT259): one HTTP or gRPC call per item of a loop, and a
third-party host called from a route handler. Declared here, judged in ``js_http.py``, ``go_http.py`` and
``jsgo_handlers.py``; the Python counterparts are LAT106 and LAT131."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_NOT_FLAGGED = (
    " Not flagged: a `while` loop (polling, pagination), a loop over a literal list or a module constant list "
    "(a fixed number of calls whatever the data), a loop that returns or breaks at its first hit (a search or a "
    "fallback chain), a call in a function nested in the loop body (an event handler such as `onClick={() => "
    "fetch(...)}`, a goroutine `go func() {...}()`, an errgroup `g.Go(...)`): it does not run once per iteration "
    "on the loop's path; tests, seed, migration and `scripts/` code."
)

JS_HTTP_IN_LOOP = Rule(
    code="LAT257",
    name="js-http-call-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="HTTP request (fetch, axios, got, undici, superagent, ky) or gRPC call made once per item of a loop "
    "(chatty RPC)",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="Flags an outbound HTTP request inside a `for`/`for...of`/`for...in` loop or an iteration "
        "callback (`xs.map(fn)`, `forEach`, `async.each`, `Promise.map`) whose arguments use the loop variable. "
        "Recognised clients: the global `fetch` (not a local function or a parameter named `fetch`), `fetch` from "
        "`node-fetch`/`undici`/`cross-fetch`/`isomorphic-fetch`, undici `request`, `axios(...)`/`axios.get/post/...` "
        "and instances made with `axios.create()`, `got(...)`/`got.get/post/...` and `got.extend()` instances, "
        "`superagent.get/post/...`, `ky`, Octokit (`octokit.request/graphql/paginate`, `octokit.rest.x.y`), and "
        "gRPC clients the module makes: `@grpc/grpc-js` stubs (`new pkg.Greeter(addr, grpc.credentials...)`, "
        "generated `new GreeterClient(addr, creds)`), nice-grpc `createClient(...)` and Connect "
        "`createClient(Service, transport)` (any method but the client's own: `close`, `waitForReady`...), "
        "also when the client is made at module level in another module and imported (`export default "
        "client`); a batch RPC (`batchGetUsers`, `bulkX`, `getMany`) called once per chunk is the remedy and is "
        "not flagged. "
        "A call of the module's own function or method (`getUser(id)`, `this.load(id)`) that itself sends a "
        "request is followed one level: the finding names the line of the request. "
        "Inside `Promise.all(xs.map(async ...))` the calls overlap: the "
        "finding says so (evidence `concurrent: true`) because the fan-out is still one request per item and has "
        "no bound on how many are in flight." + _NOT_FLAGGED,
        why_bad="N items cost N round trips to another service: in series the caller's latency is N times the "
        "callee's; all at once, N requests hit the callee together (and its rate limits), and the caller's p99 is "
        "the slowest of N.",
        example="for (const id of ids) {\n  const res = await fetch(`${USERS}/users/${id}`);\n"
        "  users.push(await res.json());\n}",
        use_instead="const res = await fetch(`${USERS}/users?ids=${ids.join(',')}`);  // a batch endpoint\n"
        "// none: bounded concurrency, e.g. p-limit\nconst limit = pLimit(8);\n"
        "const users = await Promise.all(ids.map((id) => limit(() => getUser(id))));",
        references=(
            "https://cloud.google.com/apis/design/standard_methods#batch_get",
            "https://github.com/sindresorhus/p-limit",
            "https://sre.google/sre-book/addressing-cascading-failures/",
        ),
    ),
)

GO_HTTP_IN_LOOP = Rule(
    code="LAT258",
    name="go-http-call-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="HTTP or gRPC call made once per item of a Go loop (chatty RPC)",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="Flags, inside a `for ... range` or counted `for` loop over data: `http.Get/Head/Post/"
        "PostForm` and `http.DefaultClient.Do/Get/...` whose arguments use the loop variable; `Do(req)` on an "
        "`*http.Client` (a parameter typed so, or a receiver named like a client, `client`, `httpClient`, `s.client`, "
        "in a file importing `net/http`) when `req` was built in the same loop from the item "
        "(`http.NewRequest[WithContext]`); and a gRPC stub method (a parameter typed `pkg.XxxClient` from a "
        "generated package, `pb`/`proto`/`grpc`/`gen` in its import path) called with a context and the item. "
        "A call of the file's own function or method (`deliver(c, inbox)`) that itself makes one of these calls "
        "is followed one level: the finding names the line of the request. "
        "`http.Header.Get` and other non-client receivers are never matched, nor is a receiver named like a client "
        "that is the loop's own item (`for _, client := range subscribers { client.Get(key) }`: an element of a "
        "collection, not an `*http.Client`); a stub held in a struct field is not "
        "recognised (its type is not in the index)." + _NOT_FLAGGED,
        why_bad="N items cost N round trips to another service: the handler's latency is N times the callee's and "
        "its tail is dominated by the slowest call.",
        example='for _, id := range ids {\n    resp, err := http.Get(usersURL + "/users/" + id)\n    ...\n}',
        use_instead='resp, err := client.Get(usersURL + "/users?ids=" + strings.Join(ids, ","))  // a batch endpoint\n'
        "// none: bounded concurrency with errgroup\ng.SetLimit(8)\n"
        "for _, id := range ids { g.Go(func() error { return fetch(ctx, id) }) }",
        references=(
            "https://cloud.google.com/apis/design/standard_methods#batch_get",
            "https://pkg.go.dev/golang.org/x/sync/errgroup#Group.SetLimit",
            "https://sre.google/sre-book/addressing-cascading-failures/",
        ),
    ),
)


THIRD_PARTY_IN_HANDLER_JSGO = Rule(
    code="LAT259",
    name="jsgo-third-party-call-in-request-handler",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Third-party service called inline on the request path (JavaScript/TypeScript, Go)",
    tags=("third-party",),
    doc=RuleDoc(
        what_it_does="For every route the entry-point index found (Express, Koa, Fastify, NestJS, Go `net/http`, "
        "gin, echo, chi, mux, Next.js route handlers), flags an HTTP request made in the handler (or a function "
        "nested in it) with the "
        "clients LAT257/LAT258 recognise, to a URL whose host is outside the system: a public domain name written "
        "in the code (a literal, a template literal's or concatenation's leading text), not `localhost`, a "
        "private address, a single-label service name (`http://users:8000`) or an internal domain (`.internal`, "
        "`.local`, `.svc`, `.cluster.local`). The same judgement as LAT131 for Python. The finding names the route. "
        "A route a scheduler calls (a `cron` or `qstash` path word: Vercel Cron's `/api/cron/…`) is left alone: "
        "no user waits on it, and the third party is the job's work; so is a sign-in callback (`/oauth/callback`), "
        "whose work is exchanging the provider's code.",
        why_bad="The request now waits on a service you do not run: its latency and its outages become yours, on "
        "every request, and its p99 adds to your p99.",
        example="app.post('/checkout', async (req, res) => {\n"
        "  await fetch('https://api.payments.example/v1/charges', { method: 'POST', body });\n});",
        use_instead="Enqueue the call and answer at once (a job queue such as BullMQ, an outbox), serve it from a "
        "cache, or give it a timeout budget well under the route's SLO (`AbortSignal.timeout(500)`, "
        "`context.WithTimeout`) with a fallback.",
        references=(
            "https://sre.google/sre-book/addressing-cascading-failures/",
            "https://microservices.io/patterns/data/transactional-outbox.html",
        ),
    ),
)

JSGO_CHATTY_RULES = (JS_HTTP_IN_LOOP, GO_HTTP_IN_LOOP, THIRD_PARTY_IN_HANDLER_JSGO)
