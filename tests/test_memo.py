"""selfcare.memo.Memo: a value is made once per key, and the memo never holds more than its size."""

from __future__ import annotations

import pytest

from selfcare.memo import Memo


@pytest.mark.parametrize(("size", "keys", "made", "kept"), [
    (3, "aaa", "a", 1),  # the same key: made once
    (3, "abcabc", "abc", 3),  # up to the size: each made once
    (2, "abcab", "abcab", 1),  # full at c: starts again, so a and b are made again
])
def test_each_key_is_made_once_and_the_memo_stays_bounded(size: int, keys: str, made: str, kept: int) -> None:
    memo: Memo[str] = Memo(size)
    calls: list[str] = []

    def make(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert [memo.get(k, lambda k=k: make(k)) for k in keys] == [k.upper() for k in keys]
    assert "".join(calls) == made and len(memo) == kept <= size
