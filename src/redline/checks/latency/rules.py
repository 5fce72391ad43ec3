"""The tail-latency amplifier rules (LAT101-LAT199): declared here, judged in the modules beside."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_N_PLUS_ONE_REFS = (
    "https://docs.djangoproject.com/en/5.1/topics/db/optimization/#retrieve-everything-at-once-if-you-know-you-will-need-it",
    "https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html#relationship-loading-techniques",
    "https://docs.peewee-orm.com/en/latest/peewee/relationships.html#avoiding-the-n-1-problem",
)

QUERY_IN_LOOP = Rule(
    code="LAT101",
    name="orm-query-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="ORM query issued once per item of a loop (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Flags a database read through an ORM inside a `for` loop or a comprehension whose "
        "arguments use the loop variable: Django `Model.objects.get/filter/...`, SQLAlchemy "
        "`session.query/execute/get/scalars/scalar` and Flask-SQLAlchemy `Model.query...`, Peewee "
        "`Model.get/select/get_or_none/get_by_id` and Tortoise `await Model.get/filter/...` on a model the "
        "project defines. Writes (`save`, `create`, `update`, `delete`) are left to the batching rules; a "
        "`while` loop (polling, pagination), a loop over a literal list (inline, bound to a module-level name, or "
        "a class's literal attribute read through the class or `self`: a fixed count, whatever the data) and a "
        "query that does not use the loop variable are not flagged. "
        "A row locked per item (`select_for_update()`, `with_for_update()`) is a locking protocol; a Django "
        "queryset bound per item and only ever embedded as a subquery or deleted/updated never runs a read, nor does "
        "one OR-ed into an accumulator per item (`qs |= X.objects.filter(...)`: one query, after the loop). Tests, "
        "numbered migrations, Django management commands and Click commands (`@click.command`, a group's "
        "`@storage.command(...)`), functions connected to `post_migrate`/`pre_migrate` "
        "(`@receiver(post_migrate)`, `post_migrate.connect(fn)`) and hand-run scripts (a program in a top-level "
        "`bin/`, `scripts/` or `tools/` folder the application neither imports nor starts) are not judged: no request "
        "waits on them. "
        "Also flags, at the call in the loop, a project function given the loop item (`price_of(order)`, "
        "`self.label(book)`, imported or relative imports included) that runs such a read with that parameter "
        "outside any loop of its own, directly or through up to three calls, or a method of the iterated "
        "model called on the row (`book.shelf_mates()` where the method queries with `self`); the finding "
        "names the helper "
        "and the line of its query. A memoised helper (`functools.cache`/`lru_cache`, a `cache.get` on the "
        "way), one that only writes or locks rows, one given a list fetched before the loop, and one whose "
        "query ignores its parameters are not flagged.",
        why_bad="Each iteration is one round trip: a page listing 200 items issues 201 queries, and its "
        "latency grows with the data instead of staying flat. At p99 the round trips add up to seconds and "
        "every one holds a pooled connection.",
        example="for book in Book.objects.all():\n    author = Author.objects.get(id=book.author_id)",
        use_instead='for book in Book.objects.select_related("author"):\n    author = book.author\n'
        "# or fetch once: authors = Author.objects.in_bulk(ids)\n"
        "# a helper: def price_of(order): return Product.objects.get(pk=order.product_id).price\n"
        "#   called as `for o in orders: total += price_of(o)` -> pass it a dict from one in_bulk() instead",
        references=_N_PLUS_ONE_REFS,
    ),
)

LAZY_RELATION_IN_LOOP = Rule(
    code="LAT102",
    name="lazy-relation-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Lazy-loaded relation read once per item of a queryset (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Follows a loop (or comprehension) over a query of a model the project defines — "
        "`Book.objects...`, `session.scalars(select(Book))`, `session.query(Book)`, `Book.query...`, Peewee "
        "`Book.select()`, or a local name bound to one of those — and flags the first read in the body of a "
        "relation of that model that loads lazily: a Django `ForeignKey`/`OneToOneField` attribute "
        "(`book.author`), a many-to-many or reverse manager call (`book.tags.all()`, `author.book_set.count()`), "
        "a SQLAlchemy `relationship()` without an eager `lazy=` (`book.author`), a Peewee `ForeignKeyField`. "
        "Not flagged when the query asks for that relation with `select_related`/`prefetch_related`/`Prefetch` "
        "or `joinedload`/`selectinload`/`subqueryload`/`contains_eager`/`immediateload`, or when the "
        "relationship is declared eager. `book.author_id` (the key column) is never a query. Tests, "
        "numbered migrations, Django management commands and Click commands, functions connected to "
        "`post_migrate`/`pre_migrate` and hand-run scripts (a program in a top-level "
        "`bin/`, `scripts/` or `tools/` folder the application neither imports nor starts) are not judged.",
        why_bad="The first read of the relation issues one query per row: N rows become N+1 round trips, "
        "invisible in the code, proportional to the page size in production.",
        example="for book in Book.objects.all():\n    print(book.author.name)  # one query per book",
        use_instead='for book in Book.objects.select_related("author"):\n    print(book.author.name)\n'
        "# SQLAlchemy: select(Book).options(selectinload(Book.author))",
        references=_N_PLUS_ONE_REFS,
    ),
)

TEMPLATE_N_PLUS_ONE = Rule(
    code="LAT103",
    name="template-lazy-relation-per-row",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Template loop reads a lazy relation of a queryset the view passes (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Finds views that render a template by name (`render`, `render_to_response`, "
        "`render_to_string`, `TemplateResponse`), locates the template in the project, and follows each "
        "`{% for item in name %}` whose `name` the view bound to a query of a project model "
        '(`books = Book.objects.filter(...)`, passed as `{"books": books}`). Flags the first '
        "`{{ item.relation }}` (or tag) that reads a lazily loaded relation of that model that the view's query "
        "did not `select_related`/`prefetch_related`.",
        why_bad="The template issues one query per row while it renders: invisible in the view, and the "
        "page gets slower with every row added.",
        example='# view\nbooks = Book.objects.all()\nreturn render(request, "books.html", {"books": books})\n'
        "# books.html\n{% for book in books %}{{ book.author.name }}{% endfor %}",
        use_instead='books = Book.objects.select_related("author")',
        references=_N_PLUS_ONE_REFS,
    ),
)

RAW_SQL_IN_LOOP = Rule(
    code="LAT104",
    name="raw-sql-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Raw cursor execute once per item of a loop",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Flags `cursor.execute(...)` (a receiver named like a cursor or connection) inside a "
        "`for` loop or comprehension whose parameters use the loop variable. A literal INSERT/UPDATE/DELETE "
        "is left to the batching rules. Also flags, at the call in the loop, a project function given the "
        "loop item that runs such an `execute` with it on every call (see LAT101). A module whose only driver "
        "is an in-process database (`sqlite3`, `aiosqlite`, DuckDB) is not flagged: no round trip to save.",
        why_bad="One round trip per item: latency grows with the number of items and the database parses "
        "and plans the same statement again and again.",
        example='for uid in ids:\n    cur.execute("SELECT name FROM users WHERE id = %s", (uid,))',
        use_instead='cur.execute("SELECT id, name FROM users WHERE id = ANY(%s)", (list(ids),))\n'
        "# writes: cur.executemany(sql, rows)",
        references=(
            "https://peps.python.org/pep-0249/#executemany",
            "https://www.psycopg.org/psycopg3/docs/basic/adapt.html#lists-adaptation",
        ),
    ),
)

REDIS_IN_LOOP = Rule(
    code="LAT105",
    name="redis-command-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Redis command sent once per item of a loop",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="Flags a Redis command (`get`, `set`, `hget`, `hgetall`, `incr`, `sadd`, ...) on a "
        "client the module creates with `redis.Redis`/`StrictRedis`/`from_url` (or a receiver named "
        "`redis`/`*_redis`) inside a `for` loop or comprehension whose arguments use the loop variable. "
        "Commands on a pipeline (`pipe = r.pipeline()`) are not flagged.",
        why_bad="Each command is one network round trip; 1,000 keys cost 1,000 RTTs where one `MGET` or "
        "one pipelined batch costs one.",
        example="for key in keys:\n    values.append(r.get(key))",
        use_instead="values = r.mget(keys)\n# or: pipe = r.pipeline(); [pipe.get(k) for k in keys]; pipe.execute()",
        references=(
            "https://redis.io/docs/latest/develop/use/pipelining/",
            "https://redis.io/docs/latest/commands/mget/",
        ),
    ),
)

HTTP_IN_LOOP = Rule(
    code="LAT106",
    name="http-call-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="HTTP/gRPC call made once per item of a loop (chatty RPC)",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="Flags a blocking HTTP request (`requests`, `httpx`, `urllib.request.urlopen`, a "
        "`requests.Session`/`httpx.Client` the code creates) or a gRPC stub method inside a `for` loop or "
        "comprehension whose arguments use the loop variable. Awaited calls are LAT122's.",
        why_bad="N items cost N sequential round trips to another service: the caller's latency is N times "
        "the callee's, and its p99 is dominated by the slowest of N.",
        example='for uid in user_ids:\n    users.append(requests.get(f"{API}/users/{uid}", timeout=5).json())',
        use_instead='users = requests.get(f"{API}/users", params={"ids": ",".join(user_ids)}, timeout=5).json()\n'
        "# no batch endpoint: a bounded concurrent fan-out (ThreadPoolExecutor(max_workers=8))",
        references=(
            "https://cloud.google.com/apis/design/standard_methods#batch_get",
            "https://sre.google/sre-book/addressing-cascading-failures/",
        ),
    ),
)

BLOCKING_IN_ASYNC = Rule(
    code="LAT111",
    name="blocking-call-in-async-function",
    area=Area.PERFORMANCE,
    severity=Severity.HIGH,
    summary="Blocking call inside `async def` stalls the event loop",
    tags=("event-loop",),
    doc=RuleDoc(
        what_it_does="Flags, directly in the body of an `async def`, calls that block the thread: "
        "`requests.*` and calls on a `requests.Session`, `urllib.request.urlopen`, `time.sleep`, "
        "`subprocess.run/call/check_call/check_output`, `os.system`, `psycopg2.connect`/`pymysql.connect`/"
        "`MySQLdb.connect` and commands on a synchronous `redis.Redis` client the module creates, and "
        "`open(...).read()`/`Path(...).read_text()`. Calls handed to `run_in_executor`/`asyncio.to_thread` are "
        "not calls in the body and are not flagged.",
        why_bad="The event loop runs every request of the process on one thread: while one coroutine "
        "waits on a blocking call, no other request makes progress, so one slow dependency adds its latency "
        "to every in-flight request.",
        example="async def handler(request):\n    resp = requests.get(URL, timeout=5)\n    time.sleep(1)",
        use_instead="async def handler(request):\n    async with httpx.AsyncClient(timeout=5) as client:\n"
        "        resp = await client.get(URL)\n    await asyncio.sleep(1)\n"
        "# no async client: await asyncio.to_thread(blocking_call, arg)",
        references=(
            "https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code",
            "https://fastapi.tiangolo.com/async/#very-technical-details",
        ),
    ),
)

SERIAL_AWAITS = Rule(
    code="LAT121",
    name="independent-awaits-in-series",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Independent external calls awaited one after the other",
    tags=("serial",),
    doc=RuleDoc(
        what_it_does="Flags consecutive statements of an `async def` that each await a read from an HTTP "
        "client (`get`/`head`/`options` on an `httpx.AsyncClient`/`aiohttp.ClientSession` the code creates, "
        "or module-level `httpx` calls) where no call uses what an earlier one returned. An await that "
        "reads the previous result is a dependency and is not flagged.",
        why_bad="Awaiting independent calls in series adds their latencies; run together, the caller waits "
        "only for the slowest. Two 150 ms calls take 300 ms instead of 150 ms.",
        example="user = await client.get(f'/users/{uid}')\norders = await client.get(f'/orders?user={uid}')",
        use_instead="user, orders = await asyncio.gather(\n    client.get(f'/users/{uid}'), "
        "client.get(f'/orders?user={uid}')\n)\n# Python 3.11+: async with asyncio.TaskGroup() as tg: ...",
        references=(
            "https://docs.python.org/3/library/asyncio-task.html#running-tasks-concurrently",
            "https://docs.python.org/3/library/asyncio-task.html#task-groups",
        ),
    ),
)

AWAIT_IN_LOOP = Rule(
    code="LAT122",
    name="await-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="External call awaited once per item, in series",
    tags=("serial",),
    doc=RuleDoc(
        what_it_does="Flags an awaited HTTP/gRPC call inside a `for` loop (not `async for`) whose arguments "
        "use the loop variable and nothing the loop body computed in an earlier iteration, in a loop that "
        "neither breaks nor returns early.",
        why_bad="Each item waits for the previous one to finish: N items cost N round trips of latency "
        "where a bounded concurrent fan-out costs about one.",
        example="for url in urls:\n    pages.append(await client.get(url))",
        use_instead="sem = asyncio.Semaphore(10)\n\nasync def fetch(url):\n    async with sem:\n"
        "        return await client.get(url)\n\npages = await asyncio.gather(*(fetch(u) for u in urls))",
        references=(
            "https://docs.python.org/3/library/asyncio-task.html#asyncio.gather",
            "https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore",
        ),
    ),
)

THIRD_PARTY_IN_HANDLER = Rule(
    code="LAT131",
    name="third-party-call-in-request-handler",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Third-party service called inline on the request path",
    tags=("third-party",),
    doc=RuleDoc(
        what_it_does="For every route the entry-point index found (Flask, FastAPI, Django, aiohttp), flags an "
        "HTTP call made in the handler to a URL whose host is outside the system: a public domain name "
        "written in the code (literal, f-string prefix or module constant), not `localhost`, a private "
        "address, a single-label service name (`http://users:8000`) or an internal domain (`.internal`, "
        "`.local`, `.svc`, `.cluster.local`). The finding names the route. A route a scheduler calls (a `cron` "
        "or `qstash` path word) is left alone: no user waits on it; so is a sign-in callback (`/oauth/callback`), "
        "which must exchange the provider's code before it answers.",
        why_bad="The request now waits on a service you do not run: its latency and its outages become "
        "yours, on every request, and its p99 adds to your p99.",
        example='@app.post("/checkout")\ndef checkout():\n'
        '    requests.post("https://api.payments.example/v1/charges", json=charge, timeout=10)',
        use_instead="Enqueue the call and answer at once (a task queue, an outbox), serve it from a cache, "
        "or give it a timeout budget well under the route's SLO with a fallback.",
        references=(
            "https://sre.google/sre-book/addressing-cascading-failures/",
            "https://microservices.io/patterns/data/transactional-outbox.html",
        ),
    ),
)
