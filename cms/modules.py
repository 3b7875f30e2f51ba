"""Reading modules: how long one takes, and which live modules a caller may see."""

import math
import re
from html import unescape

from django.conf import settings
from django.utils.html import strip_tags

_WORD = re.compile(r"\w+")


def _words(text: str) -> int:
    return len(_WORD.findall(unescape(strip_tags(text or ""))))


def _block_words_and_seconds(block_type: str, value) -> tuple[int, int]:
    if block_type == "text":
        return _words(value.source if hasattr(value, "source") else str(value)), 0
    if block_type == "video":
        return _words(value.get("title", "")), int(value.get("duration_seconds") or 0)
    if block_type == "checklist":
        return _words(value.get("title", "")) + sum(
            _words(item) for item in value.get("items", [])
        ), 0
    if block_type == "question":
        choices = " ".join(choice["text"] for choice in value.get("choices", []))
        # Answering takes longer than reading: count the prompt and choices twice.
        return 2 * _words(value.get("prompt", "") + " " + choices) + _words(
            value.get("explanation", "")
        ), 0
    if block_type == "image":
        return 0, 5  # a glance
    return sum(_words(v) for v in value.values() if isinstance(v, str)), 0


def estimate_minutes(body) -> int:
    """Minutes to work through a module body: words at the configured reading speed plus video time.

    `body` is a StreamValue (or anything iterating children with `.block_type` and `.value`).
    Never less than one minute.
    """
    words = seconds = 0
    for child in body or []:
        w, s = _block_words_and_seconds(child.block_type, child.value)
        words += w
        seconds += s
    total_seconds = words * 60 / settings.MICROMOMENTS_WORDS_PER_MINUTE + seconds
    return max(1, math.ceil(total_seconds / 60))


def is_bite_sized(minutes: int) -> bool:
    return minutes <= settings.MICROMOMENTS_BITE_SIZE_MINUTES
