"""Serial awaits in JavaScript/TypeScript (LAT260): declared here, judged in ``js_awaits``. An ``await`` per
loop item is not declared again: LAT250-LAT252 and LAT257 already report a query, a Redis command or an HTTP
request made once per item of a loop, serial or not."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

JS_SERIAL_AWAITS = Rule(
    code="LAT260",
    name="js-independent-awaits-in-series",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Independent queries or requests awaited one after the other (JavaScript/TypeScript)",
    tags=("serial",),
    doc=RuleDoc(
        what_it_does="Flags two or more consecutive statements of one block that each await a read from a "
        "network client, where no call reads a name an earlier one bound (`const`, `let`, destructuring or "
        "assignment). Reads are: an HTTP GET/HEAD/OPTIONS through `fetch` (global, node-fetch, undici), axios "
        "(and its instances), got, superagent, ky or Octokit (`rest.*.get/list*`, `request('GET ...')`); a "
        "Prisma `findUnique/findFirst/findMany/count/aggregate/groupBy`; a Sequelize, TypeORM or Mongoose read "
        "(`findAll`, `findOneBy`, `find().lean()`...) on a receiver resolved to the ORM as LAT250 resolves it; "
        "a literal `SELECT` through a node-postgres/mysql pool; a Redis read (`get`, `hgetall`, `smembers`...). "
        "Not flagged: an await that uses an earlier result, any write (`create`, `update`, `delete`, `save`, "
        "`set`, POST/PUT/PATCH/DELETE, INSERT/UPDATE, `SELECT ... FOR UPDATE`) since its order may matter and "
        "it separates the reads around it, awaits with any other statement between them, awaits in different "
        "branches or in a `try` and its `finally`, calls already inside `Promise.all`, non-network awaits "
        "(`sleep`, `fs.promises`, the project's own functions), queries bound to one connection (a "
        "transaction callback's `tx`/`manager`, `{ transaction: t }`, a Mongoose `session`, a single pg "
        "`Client`, which runs its queries one at a time anyway), calls once per item of a loop (LAT250-LAT257 "
        "report those), module-level code, tests, seeds and scripts.",
        why_bad="Each `await` waits for its round trip before the next one starts, so the latencies add up: "
        "three 40 ms queries take 120 ms where, started together, they take about 40 ms. On the request path "
        "that is user-visible latency for nothing. (When the first read is a guard, such as an access check "
        "with `findFirstOrThrow`, the others then also run for requests it rejects: still the right trade "
        "unless they are expensive.)",
        example="const user = await prisma.user.findUnique({ where: { id } });\n"
        "const orders = await prisma.order.findMany({ where: { userId: id } });\n"
        "const rate = await axios.get(`${FX}/rates/EUR`);",
        use_instead="const [user, orders, rate] = await Promise.all([\n"
        "  prisma.user.findUnique({ where: { id } }),\n"
        "  prisma.order.findMany({ where: { userId: id } }),\n"
        "  axios.get(`${FX}/rates/EUR`),\n]);\n"
        "// Promise.allSettled when one failure must not discard the others",
        references=(
            "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/all",
            "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/allSettled",
            "https://javascript.info/promise-api#promise-all",
        ),
    ),
)

JS_AWAIT_RULES = (JS_SERIAL_AWAITS,)
