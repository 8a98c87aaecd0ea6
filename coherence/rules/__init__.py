"""The rules, in the order they run. Adding a rule: a module here, a line below, examples in tests."""

from __future__ import annotations


def all_rules() -> list:
    from .contradiction import ContradictionRule
    from .headline import HeadlineRule
    from .off_topic import OffTopicRule

    return [OffTopicRule(), HeadlineRule(), ContradictionRule()]
