"""RunScope.derived: a fact derived from the run's facts, built by its first reader and shared with the rest."""

from __future__ import annotations

from redline.checks.interface import RunScope
from redline.core.facts import Facts


def _count(facts: Facts) -> int:
    return len(facts.of(str))


def test_the_first_reader_builds_it_the_next_ones_share_it() -> None:
    built: list[Facts] = []

    def make(facts: Facts) -> list[int]:
        built.append(facts)
        return [_count(facts)]

    scope, facts = RunScope(), Facts(["a", "b"])
    first = scope.derived(make, facts)
    assert scope.derived(make, facts) is first
    assert first == [2] and built == [facts]


def test_other_facts_or_another_builder_get_their_own() -> None:
    scope, facts, other = RunScope(), Facts(["a"]), Facts(["a", "b", "c"])
    assert scope.derived(_count, facts) == 1
    assert scope.derived(_count, other) == 3  # another bag of facts, even in the same scope
    assert scope.derived(lambda f: -_count(f), facts) == -1  # another builder, same facts
    assert RunScope().derived(_count, Facts()) == 0  # a new run's scope knows nothing of the last one
