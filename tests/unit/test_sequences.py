"""The sequences that let a long stream grow without copying: a prefix of a growing list, and
a stream's recorded events joined to the ones a unit of work is about to add."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.prefix import Joined, Prefix

items = st.lists(st.integers(), max_size=12)


@given(items, items, st.integers(-30, 30), st.integers(-30, 30), st.integers(-3, 3))
def test_joined_reads_as_the_concatenation(
    head: list[int], tail: list[int], start: int, stop: int, stride: int
) -> None:
    joined, whole = Joined(head, tail), head + tail
    assert len(joined) == len(whole)
    assert list(joined) == whole
    for index in range(-len(whole), len(whole)):
        assert joined[index] == whole[index]
    if stride:
        assert list(joined[start:stop:stride]) == whole[start:stop:stride]
    with pytest.raises(IndexError):
        joined[len(whole)]


def test_a_first_prefix_sees_only_its_items_while_the_list_grows() -> None:
    known = [1, 2, 3]
    seen = Prefix.first(known, 2)
    known.append(4)
    assert list(seen) == [1, 2]
    assert list(seen.extended([9])) == [1, 2, 9]  # not the longest: copies, leaves known alone
    assert known == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        Prefix.first(known, 5)
