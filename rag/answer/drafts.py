"""How much of a generated answer that is still streaming is made of finished sentences,
so those can be verified before the model is done (the draft the reader sees is shown as
unverified until then).

A sentence counts as finished only once the text after it shows it cannot grow: a later
sentence has started on its line, or its line has ended. The last sentence of an open
line never counts, nor the one before it while what follows may still become its
citation marker or amendment note ("합니다. [1" → "합니다. [1]"): verifying it without
its marker could pass a sentence that the final check fails."""

from __future__ import annotations

from .sentences import split_sentences

# What a sentence's trailer may start with (rag.answer.sentences._TRAILER): a marker or a note.
_TRAILER_START = ("[", "<")


def finished_length(text: str) -> int:
    """The length of the longest start of ``text`` that ends a finished sentence (0: none)."""
    sentences = split_sentences(text)
    if not sentences:
        return 0
    open_line = text.rfind("\n") + 1  # where the line still being written starts
    finished = [s for s in sentences if s.end <= open_line]
    on_open_line = [s for s in sentences if s.start >= open_line]
    # The last sentence of the open line may still grow; the one before it too, while
    # the last one could be its trailer.
    keep = len(on_open_line) - 1
    if keep > 0 and on_open_line[-1].text.startswith(_TRAILER_START):
        keep -= 1
    finished.extend(on_open_line[:max(keep, 0)])
    return max((s.end for s in finished), default=0)
