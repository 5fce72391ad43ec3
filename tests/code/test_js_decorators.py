"""One reader of JavaScript/TypeScript decorators for the code index's definitions (NestJS routes and guards)
and its TypeORM entity facts (lazy relations): the two grammars place them differently (TypeScript puts a
method's decorators before it in the class body, JavaScript inside it; both put a field's inside the field),
comments may sit between a decorator and what it decorates, and a field's decorators are never a method's."""

from __future__ import annotations

import pytest

from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource

CONTROLLER = """\
import { Controller, Get, Post, Param, UseGuards, Inject } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

@Controller('cats')
// every route below needs a token
@UseGuards(AuthGuard('jwt'))
/** the cats API */
export class CatsController {
  @Inject(CatsService)
  // injected, not a route
  cats;

  @Get(':id')
  // one cat
  async findOne(@Param('id') id) {
    return this.cats.find(id);
  }

  @Post()
  /* creates */ @UseGuards(AdminGuard)
  create() {}

  list() {}
}

@Injectable()
class CatsService {}
"""


def _index(source: str, path: str, kind: str) -> CodeIndex:
    data = source.encode()
    return CodeIndexSource().parse(FileText(SourceFile(path, path, kind, len(data)), data, source))


@pytest.mark.parametrize(("path", "kind"), [("cats.controller.ts", "typescript"), ("cats.controller.js", "javascript")])
def test_definition_decorators_across_comments_in_both_grammars(path: str, kind: str) -> None:
    # JavaScript's decorators proposal has no parameter decorators
    source = CONTROLLER if kind == "typescript" else CONTROLLER.replace("@Param('id') id", "id")
    index = _index(source, path, kind)
    got = {d.qualname: [(x.raw, x.target, x.line, x.is_call) for x in d.decorators] for d in index.definitions}
    assert got == {
        "CatsController": [
            ("Controller", "@nestjs/common.Controller", 4, True),
            ("UseGuards", "@nestjs/common.UseGuards", 6, True),
        ],
        "CatsController.findOne": [("Get", "@nestjs/common.Get", 13, True)],
        "CatsController.create": [
            ("Post", "@nestjs/common.Post", 19, True),
            ("UseGuards", "@nestjs/common.UseGuards", 20, True),
        ],
        "CatsController.list": [],  # the field's @Inject above is the field's, not a method's
        "CatsService": [("Injectable", None, 26, True)],
    }
    find = next(d for d in index.definitions if d.qualname == "CatsController.findOne")
    binds = [("id", "Param", ("id",))] if kind == "typescript" else []
    assert [(n, a.call, a.call_args) for n, a in find.param_defaults] == binds
    guards = next(d for d in index.definitions if d.qualname == "CatsController").decorators[1]
    assert guards.args[0].items == ("AuthGuard(jwt)",)


ENTITY = """\
import { Entity, ManyToOne, OneToMany, JoinColumn, Column } from 'typeorm';

@Entity()
export class Post {
  @ManyToOne(() => User, { lazy: true })
  // who wrote it
  @JoinColumn()
  author;

  @OneToMany(() => Comment, (c) => c.post, { lazy: true }) /* loaded on read */ comments;

  @ManyToOne(() => User, { eager: true })
  // eager: loaded with the post
  editor;

  @Column({ lazy: true })
  title;

  @Get()
  // a method is no relation
  tags() {}

  reviewer;
}
"""

TYPED_ENTITY = """\
import { Entity, ManyToOne, OneToMany } from 'typeorm';

@Entity()
export class Post {
  @ManyToOne(() => User)
  // the relation's type says lazy
  author: Promise<User>;

  @typeorm.OneToMany(() => Comment, (c) => c.post)
  comments: Promise<Comment[]>;

  @ManyToOne(() => User)
  editor: User;

  @Get()
  // a method between
  feed(): Promise<Post[]> { return []; }

  reviewer: Promise<User>;
}
"""


@pytest.mark.parametrize(("path", "kind"), [("post.entity.ts", "typescript"), ("post.entity.js", "javascript")])
def test_lazy_relations_read_field_decorators_across_comments(path: str, kind: str) -> None:
    post = next(d for d in _index(ENTITY, path, kind).definitions if d.name == "Post")
    assert post.lazy_relations == ("author", "comments")
    assert [x.raw for x in post.decorators] == ["Entity"]


def test_lazy_relations_from_promise_types() -> None:
    post = next(d for d in _index(TYPED_ENTITY, "post.entity.ts", "typescript").definitions if d.name == "Post")
    assert post.lazy_relations == ("author", "comments")  # `reviewer` has no relation decorator
