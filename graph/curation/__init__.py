"""Curation: the tools that take a new source document from its text to curated facts.

    source add   sources.py    copy a verbatim text and its metadata into seeds/
    draft        draft.py      a draft TriG file for a curator: sentences as ready quotes, with
                               the entities they mention (mentions.py), names the graph does
                               not know and attribution cues; split by sentences.py
    validate DOC checks.py     the build's checks for one document, plus what a curator misses:
                               entities defined twice, mentions left unlinked, statements
                               without a quote

Known entities (their names, kinds and where each is defined) are read by entities.py.
"""
