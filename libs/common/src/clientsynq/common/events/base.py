"""The base schema every event payload derives from."""

from __future__ import annotations

from marshmallow import RAISE, Schema


class StrictSchema(Schema):
    """Unknown fields are errors, at every nesting level.

    A field we do not know is either a typo in a producer or a newer producer talking to an
    older consumer; in both cases silently dropping it would lose data, so it goes to the DLQ
    where a human sees it.
    """

    class Meta:
        unknown = RAISE
