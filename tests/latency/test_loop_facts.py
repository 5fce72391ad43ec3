"""The loop scope facts the latency rules read: each call's loop, what a loop iterates and binds, what its
body reads from the loop variable, and where awaited statements sit; they survive the cache."""

from __future__ import annotations

from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource

CODE = """\
def view(request):
    books = Book.objects.select_related("author").filter(x=1)
    for i, b in enumerate(Book.objects.prefetch_related("tags").all()):
        print(b.author.name, b.title)
        Author.objects.get(id=b.author_id)
        for t in b.tags.all():
            break
        b.save()
        b.note = 1
    names = [a.name for a in Author.objects.all() if a.books.count()]

async def f(urls):
    x = await client.get(urls[0])
    y = await client.get(x.next)
    for u in urls:
        async with httpx.AsyncClient() as c:
            r = await c.get(u)
    while True:
        pass
"""


def _index() -> CodeIndex:
    data = CODE.encode()
    return CodeIndexSource().parse(FileText(SourceFile("v.py", "v.py", "python", len(data)), data, CODE))


def test_loops_know_their_variables_iterable_and_body() -> None:
    outer, inner, comp, for_urls, poll = _index().loops
    assert (outer.kind, outer.line, outer.end_line, outer.targets) == ("for", 3, 9, ("i", "b"))
    assert (outer.iter, outer.iter_args) == ("Book.objects.prefetch_related.all", ("tags",))
    assert outer.attrs == (
        ("b.author", 4),
        ("b.title", 4),
        ("b.author_id", 5),
        ("b.tags", 6),
        ("b.save", 8),
    )  # no store
    assert not outer.exits and inner.exits  # the inner break leaves only the inner loop
    assert (inner.parent, inner.iter, inner.targets) == (0, "b.tags.all", ("t",))
    assert (comp.kind, comp.targets, comp.iter, comp.attrs) == (
        "comprehension",
        ("a",),
        "Author.objects.all",
        (("a.books", 10), ("a.name", 10)),
    )
    assert for_urls.assigns == ("c", "r") and poll.kind == "while"


def test_calls_know_their_loop_reads_and_statement_position() -> None:
    index = _index()
    by = {(c.raw, c.line): c for c in index.calls}
    assert by[("Book.objects.prefetch_related.all", 3)].loop == -1  # the iterable runs once, outside
    assert by[("Author.objects.get", 5)].loop == 0
    assert by[("Author.objects.get", 5)].reads == ("b", "Author")
    assert by[("b.tags.all", 6)].loop == 0  # the inner loop's iterable runs once per outer item
    assert by[("a.books.count", 10)].loop == 2
    first, second = by[("client.get", 13)], by[("client.get", 14)]
    assert (first.assigned_to, first.block, first.position) == ("x", second.block, 0)
    assert (second.position, second.reads) == (1, ("x", "client"))
    assert by[("httpx.AsyncClient", 16)].assigned_to == "c"  # bound by the with statement
    assert (by[("c.get", 17)].loop, by[("c.get", 17)].assigned_to) == (3, "r")


def test_loop_facts_survive_the_cache() -> None:
    built = _index()
    cached = _index()
    assert cached.parser == "cache"
    assert cached.loops == built.loops and cached.calls == built.calls


def test_template_loops_and_what_their_bodies_read() -> None:
    from redline.sources.code.templates import template_loops

    text = (
        "{% for b in books %}\n{{ b.author.name }}{% if b.tags %}\n"
        "{% for t in b.tags.all %}{{ t.label }}{% endfor %}{% endfor %}\n"
        "{% for x in unclosed %}{{ x.y }}\n{{ 'b.author' }}"
    )
    found = template_loops("t.html", text)
    assert found is not None
    outer, inner = sorted(found.loops, key=lambda lp: lp.line)[0], found.loops[-1]
    assert (outer.line, outer.targets, outer.iterable) == (1, ("b",), "books")
    assert outer.attrs == (("b.author", 2), ("b.tags", 2))
    assert (inner.iterable, inner.attrs) == ("b.tags.all", (("t.label", 3),))
    assert len(found.loops) == 2  # the unclosed loop is not a loop
    assert template_loops("t.html", "{{ plain }}") is None


ENTITY = """\
import { Entity, ManyToOne, OneToMany } from 'typeorm';

@Entity()
export class Post {
  @ManyToOne(() => User, { lazy: true })
  author: User;

  @OneToMany(() => Comment, (c) => c.post)
  comments: Promise<Comment[]>;

  @ManyToOne(() => User, { eager: true })
  editor: User;

  @Column()
  published: Promise<boolean>;
}

async function feed(posts: Post[]) {
  for (const p of posts) {
    await p.author;
    await Promise.all(p.tags.map((t) => t.owner));
    await other.author;
  }
  return posts.map((p) => p.comments);
}
"""


def _js_index() -> CodeIndex:
    data = ENTITY.encode()
    source = SourceFile("post.ts", "post.ts", "typescript", len(data))
    return CodeIndexSource().parse(FileText(source, data, ENTITY))


def test_typeorm_lazy_relations_and_awaited_item_reads_are_indexed_and_cached() -> None:
    built = _js_index()
    post = next(d for d in built.definitions if d.name == "Post")
    assert post.lazy_relations == ("author", "comments")  # `lazy: true`, a Promise type; not eager, not a column
    loops = {lp.line: lp for lp in built.loops}
    assert loops[19].attrs == (("p.author", 20),)  # `other.author` is not the item's
    assert loops[21].attrs == (("t.owner", 21),)  # a callback's returned property, on the loop binding `t`
    assert loops[24].attrs == (("p.comments", 24),)
    cached = _js_index()
    assert cached.parser == "cache" and cached.definitions == built.definitions and cached.loops == built.loops
