"""``ServedIds``, the Django-free core of served option ids (ADR 0026, addendum): opaque, stable
for a key, different for another key, unique within a part even when two hashes collide."""

from __future__ import annotations

from microcred.assessment.questions import ServedIds


def test_ids_are_stable_for_a_key_and_new_for_another():
    first = ServedIds(b"attempt-1").table(7, "choice", [40, 41, 42, 43])
    assert first == ServedIds(b"attempt-1").table(7, "choice", [40, 41, 42, 43])  # a reload, a replay
    other = ServedIds(b"attempt-2").table(7, "choice", [40, 41, 42, 43])
    assert not set(first.values()) & set(other.values())
    assert list(first) == [40, 41, 42, 43] and len(set(first.values())) == 4


def test_ids_are_large_enough_never_to_be_a_stored_id_and_safe_in_json():
    ids = ServedIds(b"k").table(1, "item", range(50)).values()
    assert all(2**47 <= i < 2**48 for i in ids)  # below 2**53: exact as a JavaScript number


def test_the_question_and_the_part_change_the_ids():
    ids = ServedIds(b"k")
    assert ids.table(1, "prompt", [0, 1]) != ids.table(2, "prompt", [0, 1])
    assert ids.table(1, "prompt", [0, 1]) != ids.table(1, "option", [0, 1])


def test_a_collision_moves_the_later_option_on():
    class Colliding(ServedIds):
        def _hash(self, question_id: int, part: str, authored_id: int, salt: int) -> int:
            return 2**47 + salt  # every option hashes to the same value first

    table = Colliding(b"k").table(1, "choice", [10, 11, 12])
    assert table == {10: 2**47, 11: 2**47 + 1, 12: 2**47 + 2}


def test_no_key_keeps_the_stored_ids_for_staff():
    assert ServedIds(None).table(1, "choice", [5, 6]) == {5: 5, 6: 6}
