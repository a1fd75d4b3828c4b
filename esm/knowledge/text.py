"""Words for matching articles: folded (Danish letters in ASCII), without stop words, stemmed.

"Varmen er slukket" and "varme" meet at the stem "varm"; "nøgler" and "nøglebrik" at "nogl".
The same folding builds `Article.search_text`, so typed words and stored text always agree.
"""

from __future__ import annotations

from esm.buildings.services import fold

MIN_WORD = 3
MAX_WORDS = 8
# Endings stripped once, longest first, as long as at least MIN_WORD letters stay.
SUFFIXES = (
    "erne",
    "ende",
    "ene",
    "ing",
    "ers",
    "er",
    "en",
    "et",
    "es",
    "ed",
    "e",
    "s",
)
_STOP_WORDS = """
    alle andet andre at blev bliver da de dem den denne der deres det dette dig din dine disse du efter eller en
    end er et for fra har have hele hende her hos hvad hvem hvis hvor hvordan ikke ind jeg jer kan kun kunne man
    med meget men mig min mine mit mod ned noget nu nar og ogsa om op os over pa sa sig sin sine sit
    skal skulle som til ud under var vi vil ville vor vores
    the and for are was were has have had not but you your our they them this that with from into what when where
    which who how can cannot does did there their its any all out off about
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def search_document(*texts: str) -> str:
    """The stored search text: the folded texts with a space before every word, so a word's start is ` word`."""
    return " " + " ".join(fold(text) for text in texts if text) + " "


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_WORD:
            return word[: -len(suffix)]
    return word


def query_stems(text: str) -> list[str]:
    """The stems of the typed words worth matching: ≥ 3 letters, no stop words, at most 8, in order."""
    stems: list[str] = []
    for word in fold(str(text or "")[:200]).replace(".", " ").replace("-", " ").split():
        if len(word) < MIN_WORD or word in STOP_WORDS or word.isdigit():
            continue
        value = stem(word)
        if value not in stems:
            stems.append(value)
        if len(stems) >= MAX_WORDS:
            break
    return stems
