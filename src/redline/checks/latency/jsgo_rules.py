"""Per-item round trips in JavaScript/TypeScript and Go (LAT250-LAT269): declared here, judged in
``jsgo_per_item``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_LOOPS = (
    "a `for`/`for...of`/`for...in` loop, or the function passed to an iteration method (`xs.map(fn)`, "
    "`forEach`, `flatMap`, `reduce`, `async.each/map(xs, fn)`, `Promise.map`), whose arguments use the loop "
    "variable"
)
_SKIPPED = (
    " Not flagged: a `while` loop (polling, pagination), a loop over a literal list or a module constant list "
    "(a fixed number of queries whatever the data), a loop that returns or breaks at its first hit (a search), "
    "writes (`create`, `update`, `bulkCreate`, `createMany`, literal INSERT/UPDATE/DELETE: one write per item is "
    "a batching concern), tests, seed and migration scripts. Inside `Promise.all(xs.map(async ...))` the "
    "message says the queries are sent at once: still one round trip and one pooled connection per item."
)

JS_ORM_QUERY_IN_LOOP = Rule(
    code="LAT250",
    name="js-orm-query-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Sequelize/Prisma/TypeORM/Mongoose query issued once per item of a loop (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Flags an ORM read inside " + _LOOPS + ". The receiver must be resolved to the ORM: a "
        "Sequelize model (a class extending `Model` from `sequelize`/`sequelize-typescript`, `sequelize.define`, "
        "or `db.X` from a `models` module of a Sequelize project) with `findOne/findByPk/findAll/findAndCountAll/"
        "count/max/min/sum`; a Prisma client (`new PrismaClient()`, a module exporting one, a `PrismaService`, "
        "a receiver named `prisma`/`this.prisma` in a project importing `@prisma/client`) with `x.findUnique/"
        "findFirst/findMany/count/aggregate/groupBy`; a TypeORM repository (`getRepository(E)`, "
        "`dataSource.getRepository(E)`, `@InjectRepository(E)`), an `EntityManager` or a `BaseEntity` subclass "
        "with `find/findOne/findOneBy/findBy/findAndCount/count/query`; a Mongoose model (`mongoose.model(...)`, "
        "directly or required from the module that exports it) with `find/findOne/findById/countDocuments/"
        "exists/aggregate`. An array's `.find()`, lodash and the MongoDB driver are never matched. Also flags, "
        "at the call in the loop, a project function given the loop item (`await authorOf(article)`, "
        "`this.titleOf(a)`, or one imported from a project module) that runs such a read with one of its "
        "parameters outside any loop of its own; the finding names the helper and its query's line. A helper "
        "whose read ignores its parameters, or that reads a map fetched before, is not flagged." + _SKIPPED,
        why_bad="Each iteration is one round trip to the database: a page of 200 items issues 201 queries and "
        "its latency grows with the data. Fired concurrently (`Promise.all`) they also take up to N pooled "
        "connections at once and queue every other request behind them.",
        example="for (const post of posts) {\n  post.author = await User.findByPk(post.authorId);\n}",
        use_instead="const posts = await Post.findAll({ include: [{ model: User, as: 'author' }] });\n"
        "// or one query: const users = await User.findAll({ where: { id: posts.map(p => p.authorId) } });\n"
        "// Prisma: prisma.post.findMany({ include: { author: true } }); Mongoose: .populate('author')",
        references=(
            "https://sequelize.org/docs/v6/advanced-association-concepts/eager-loading/",
            "https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance#solving-n1-in-graphql-with-findunique-and-prismas-dataloader",
            "https://mongoosejs.com/docs/populate.html",
            "https://typeorm.io/find-options",
        ),
    ),
)

JS_RAW_SQL_IN_LOOP = Rule(
    code="LAT251",
    name="js-raw-sql-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="node-postgres/mysql2 query issued once per item of a loop (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Flags `query(...)`/`execute(...)` with parameters on a node-postgres `Pool`/`Client` "
        "(`new Pool()`, `pool.connect()`), a `mysql`/`mysql2` pool or connection (`createPool`, "
        "`createConnection`), or a project module that creates one (`const db = require('../db')`), inside "
        + _LOOPS
        + ", or in a project function the loop calls with its item (reported at the call, see LAT250)."
        + _SKIPPED,
        why_bad="One round trip per item: latency grows with the number of items and the server parses and "
        "plans the same statement again and again.",
        example="for (const id of ids) {\n"
        "  const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [id]);\n}",
        use_instead="const { rows } = await pool.query('SELECT * FROM users WHERE id = ANY($1)', [ids]);",
        references=(
            "https://node-postgres.com/features/queries",
            "https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME",
        ),
    ),
)

JS_REDIS_IN_LOOP = Rule(
    code="LAT252",
    name="js-redis-command-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="ioredis/node-redis command sent once per item of a loop",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="Flags a Redis command (`get`, `set`, `hget`, `hgetall`, `sadd`, `zadd`, `incr`, ... "
        "in either case: node-redis v4 spells them `hGet`) on a client created with `new Redis()` (ioredis), "
        "`createClient()` (redis), required from a project module that creates one, or a property named like "
        "a client (`this.connection.redis`, `this.redisClient`) in a project that imports ioredis or redis, "
        "inside " + _LOOPS + ". Commands on a `pipeline()`/`multi()` are not flagged.",
        why_bad="Each command is one network round trip: 1,000 keys cost 1,000 RTTs where one `MGET` or one "
        "pipeline costs one.",
        example="for (const id of ids) {\n  names.push(await redis.get(`user:${id}`));\n}",
        use_instead="const names = await redis.mget(ids.map(id => `user:${id}`));\n"
        "// or: const p = redis.pipeline(); ids.forEach(id => p.hgetall(`user:${id}`)); await p.exec();",
        references=(
            "https://redis.io/docs/latest/develop/use/pipelining/",
            "https://github.com/redis/ioredis#pipelining",
        ),
    ),
)

GO_SQL_IN_LOOP = Rule(
    code="LAT253",
    name="go-sql-query-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="database/sql (sqlx, pgx) query issued once per item of a Go loop (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Flags `Query`, `QueryContext`, `QueryRow`, `QueryRowContext` (and sqlx `Get`/`Select`/"
        "`Queryx`, pgx `Query`/`QueryRow`) inside a `for ... range` or counted `for` loop whose arguments use the "
        "loop variable, in a file importing `database/sql`, `sqlx` or `pgx`, on a receiver typed `*sql.DB`/"
        "`*sql.Tx`/`*sql.Conn`/`*sqlx.DB`/`*pgxpool.Pool`/`pgx.Conn` or named like one (`db`, `tx`, `conn`, "
        "`pool`), or a prepared statement handle (`stmt, err := db.Prepare(q)`, `tx.Stmt(stmt)`, sqlx `Preparex`/"
        "`PrepareNamed`, a parameter typed `*sql.Stmt`) whatever its name: preparing saves the parse, not the "
        "round trip. `Exec` and literal writes are left to the batching rules (an INSERT per item is LAT266), "
        "and so is a statement prepared from a write or a `FOR UPDATE`; SQLite files (a SQLite driver imported, "
        "or named after it: the database runs in the process, a query costs no round trip), a condition-only "
        "`for` (polling, "
        "`rows.Next()`), a range over a literal list, and a loop that returns at its first hit are not flagged.",
        why_bad="Each iteration is one round trip and one pooled connection checkout: the handler's latency "
        "grows with the number of rows.",
        example="for _, id := range ids {\n"
        '    db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", id).Scan(&n)\n}',
        use_instead='rows, err := db.QueryContext(ctx, "SELECT id, name FROM users WHERE id = ANY($1)", pq.Array(ids))',
        references=(
            "https://go.dev/doc/database/querying",
            "https://pkg.go.dev/github.com/jmoiron/sqlx#In",
        ),
    ),
)

GORM_QUERY_IN_LOOP = Rule(
    code="LAT254",
    name="gorm-query-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="GORM query issued once per item of a Go loop (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="In a file importing `gorm.io/gorm` or `github.com/jinzhu/gorm`, flags a GORM finisher "
        "that reads (`First`, `Find`, `Take`, `Last`, `Count`, `Scan`, `Pluck`, and association lookups "
        "`Association(...).Find/Count`) inside a `for ... range` or counted `for` loop whose query uses the loop "
        "variable, on a receiver typed `*gorm.DB` or a chain of GORM builder calls (`db.Where(...).First`, "
        "`tx.Model(&x).Association(...)`). `Create`, `Save`, `Updates`, `Delete` and `CreateInBatches` are not "
        "flagged; neither is a loop over a literal list nor one that returns at its first hit.",
        why_bad="Each iteration is one round trip: listing 100 articles with one author lookup each costs 101 "
        "queries, and the handler's latency grows with the page size.",
        example='for i := range articles {\n    db.Where("id = ?", articles[i].AuthorID).First(&articles[i].Author)\n}',
        use_instead='db.Preload("Author").Find(&articles)\n'
        '// or one query: db.Where("id IN ?", authorIDs).Find(&authors)',
        references=("https://gorm.io/docs/preload.html", "https://gorm.io/docs/query.html#Conditions"),
    ),
)

GO_REDIS_IN_LOOP = Rule(
    code="LAT255",
    name="go-redis-command-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="go-redis command sent once per item of a Go loop",
    tags=("chatty",),
    doc=RuleDoc(
        what_it_does="In a file importing `github.com/redis/go-redis` or `github.com/go-redis/redis`, flags a "
        "command (`Get`, `Set`, `HGet`, `HGetAll`, `SAdd`, `ZAdd`, `Incr`, `Expire`, ...) on a receiver typed "
        "`*redis.Client`/`redis.UniversalClient`/`*redis.ClusterClient` or named like a client (`rdb`, `redis`, "
        "`client`, `cache`) inside a `for ... range` loop whose arguments use the loop variable. Commands queued on a "
        "`Pipeline()`/`TxPipeline()` are not flagged.",
        why_bad="Each command is one network round trip; 1,000 keys cost 1,000 RTTs where one `MGet` or one "
        "pipeline costs one.",
        example='for _, id := range ids {\n    v, _ := rdb.Get(ctx, "user:"+id).Result()\n}',
        use_instead="vals, err := rdb.MGet(ctx, keys...).Result()\n"
        "// or: pipe := rdb.Pipeline(); for ... { pipe.Get(ctx, k) }; pipe.Exec(ctx)",
        references=(
            "https://redis.uptrace.dev/guide/go-redis-pipelines.html",
            "https://redis.io/docs/latest/commands/mget/",
        ),
    ),
)

JS_LAZY_ASSOCIATION_IN_LOOP = Rule(
    code="LAT256",
    name="js-lazy-association-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Sequelize association getter, Mongoose populate or TypeORM lazy relation read once per row (N+1 queries)",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="Follows a loop (or iteration callback) over the rows of a Sequelize or Mongoose query — "
        "`for (const post of await Post.findAll())`, or a local bound to one (`const posts = await "
        "Post.findAll(...)`) — and flags, on the loop variable, a Sequelize association getter (`post.getAuthor()`, "
        "`post.getComments()`, sequelize-typescript `post.$get('author')`) whose name matches an association the "
        "project declares (`belongsTo`/`hasOne`/`hasMany`/`belongsToMany`, with or without `as`), or a "
        "Mongoose document `populate(...)`. A getter always queries, even when the rows were loaded with "
        "`include`: read the included property (`post.author`) instead. Reading an included property, "
        "`getDataValue`, and loops over anything else are not flagged. Also flags `await post.author` (or "
        "`posts.map(p => p.author)`) on a loop's item where `author` is a relation a TypeORM entity of the "
        "project declares lazy — typed `Promise<...>` or `{ lazy: true }`, in any module — unless the rows were "
        "loaded with it (`relations: ['author']`, `leftJoinAndSelect('post.author', ...)`). Eager and plain "
        "relations, awaited properties that are not lazy relations, and a read outside a loop are not flagged.",
        why_bad="The getter issues one query per row: N rows are N+1 round trips, invisible in the code and "
        "proportional to the page size in production.",
        example="const posts = await Post.findAll();\nfor (const post of posts) {\n"
        "  const author = await post.getAuthor();\n}",
        use_instead="const posts = await Post.findAll({ include: [{ model: User, as: 'author' }] });\n"
        "for (const post of posts) {\n  const author = post.author;\n}\n"
        "// Mongoose: Post.find().populate('author')\n"
        "// TypeORM lazy `author: Promise<User>`: repo.find({ relations: ['author'] }), then `await post.author`",
        references=(
            "https://sequelize.org/docs/v6/core-concepts/assocs/#special-methodsmixins-added-to-instances",
            "https://sequelize.org/docs/v6/advanced-association-concepts/eager-loading/",
            "https://mongoosejs.com/docs/populate.html",
            "https://typeorm.io/eager-and-lazy-relations",
        ),
    ),
)

GO_INSERT_IN_LOOP = Rule(
    code="LAT266",
    name="go-insert-per-loop-item",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Go INSERT executed once per item of a loop, prepared or not (one round trip per row)",
    tags=("batching",),
    doc=RuleDoc(
        what_it_does="In a file importing `database/sql`, `sqlx` or `pgx`, flags `Exec`/`ExecContext` (sqlx "
        "`NamedExec`, `MustExec`) inside a `for ... range` or counted `for` loop whose arguments use the loop "
        "variable, when the statement is a known INSERT: a prepared statement handle (`stmt, err := "
        "tx.Prepare(q)`, `PrepareContext`, `tx.Stmt(stmt)`, sqlx `Preparex`/`PrepareNamed`, or a parameter "
        "typed `*sql.Stmt`/`*sqlx.Stmt`/`*sqlx.NamedStmt`) prepared from an INSERT literal or constant, or "
        "`db.Exec`/`tx.Exec` given one directly. Reads through a prepared statement (`stmt.QueryRow(id)` per "
        "item) are LAT253. A prepared INSERT inside one transaction is the better of the per-row forms (parsed "
        "once, committed once): it is reported, at low severity, because each row is still one round trip. "
        "Not flagged: SQLite (the file imports a SQLite driver or is named after it: the database runs in the "
        "process and a statement costs no round trip), UPDATE/DELETE, statements whose SQL the index cannot "
        "read (a struct field, a built string), loops over a channel, `while`-style loops, searches that "
        "return at their first hit, tests, seeds and migrations.",
        why_bad="Every row waits for the server: at 0.5 ms per round trip, 10,000 rows take 5 s of network "
        "waits where one multi-row INSERT or COPY takes a few milliseconds, and the transaction holds its "
        "locks and its pooled connection all that time.",
        example='stmt, _ := tx.PrepareContext(ctx, "INSERT INTO events (kind, at) VALUES ($1, $2)")\n'
        "for _, e := range events {\n    stmt.ExecContext(ctx, e.Kind, e.At)\n}",
        use_instead="// pgx: one COPY for every row\n"
        'conn.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"kind", "at"},\n'
        "    pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {\n"
        "        return []any{events[i].Kind, events[i].At}, nil\n    }))\n"
        "// database/sql + PostgreSQL: one statement for every row\n"
        "// INSERT INTO events (kind, at) SELECT * FROM unnest($1::text[], $2::timestamptz[])\n"
        "// or one multi-row INSERT ... VALUES (...), (...) per batch of rows",
        references=(
            "https://pkg.go.dev/github.com/jackc/pgx/v5#Conn.CopyFrom",
            "https://pkg.go.dev/github.com/jackc/pgx/v5#Batch",
            "https://go.dev/doc/database/prepared-statements",
            "https://www.postgresql.org/docs/current/populate.html",
        ),
    ),
)

JSGO_RULES = (
    JS_ORM_QUERY_IN_LOOP,
    JS_RAW_SQL_IN_LOOP,
    JS_REDIS_IN_LOOP,
    GO_SQL_IN_LOOP,
    GORM_QUERY_IN_LOOP,
    GO_REDIS_IN_LOOP,
    JS_LAZY_ASSOCIATION_IN_LOOP,
    GO_INSERT_IN_LOOP,
)
