"""Legal bases as bureaus print them in one cell, split into one entry per cited document.

`【法律】《中华人民共和国社会保险法》第八十八条：…【法规】《…条例》第四十条：…`,
`1.《社会保险稽核办法》（劳动和社会保险部令第16号）；2.…` or plain titles with their number in
brackets. Each entry keeps the citation as written (`raw`), with title, document number and
article picked out only where they are printed.
"""

from __future__ import annotations

import re

from ..models import LegalBasis

MARKER = re.compile(r"【[^】]{1,12}】")
NUMBERED = re.compile(r"(?:^|(?<=[；;。\s]))[（(]?\d{1,2}[)）.、．]\s*(?=\S)")
TITLE = re.compile(r"《([^《》]*(?:〈[^〉]*〉[^《》]*)*)》")
DOC_NUMBER = re.compile(
    r"^[（(]([^（）()]*(?:〔|﹝|\[|\(|（)\d{4}(?:〕|﹞|\]|\)|）)[^（）()]*号|[^（）()]*令第?\d+号)[）)]"
)
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇\d]+条(?:第[一二三四五六七八九十\d]+[款项])*")
CITED_NUMBER = re.compile(r"[（(][^（）()]*号[）)]")
# 》 followed by these ends a title that quotes another: 关于印发《…》的通知
QUOTING_TITLE = re.compile(r"^[^，。；：:,;（(]{0,30}?的(?:通知|决定|意见|解释|批复|复函|规定|函)")
TRAILING = "；;。，, \n"


def _segments(text: str) -> list[str]:
    if MARKER.search(text):
        starts = [m.start() for m in MARKER.finditer(text)]
        if starts[0] > 0 and text[: starts[0]].strip(TRAILING):
            starts.insert(0, 0)
        return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=True)]
    numbered = list(NUMBERED.finditer(text))
    if len(numbered) >= 2 or (numbered and numbered[0].start() == 0):
        starts = [m.start() for m in numbered]
        if starts[0] > 0 and text[: starts[0]].strip(TRAILING):
            starts.insert(0, 0)
        return [
            NUMBERED.sub("", text[a:b], count=1) if a in starts else text[a:b]
            for a, b in zip(starts, starts[1:] + [len(text)], strict=True)
        ]
    if len(TITLE.findall(text)) > 1 and re.search(r"[；;\n]", text):
        return re.split(r"[；;\n]+", text)
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and all(TITLE.search(line) or CITED_NUMBER.search(line) for line in lines):
        return lines
    return [text]


def parse_basis(segment: str) -> LegalBasis | None:
    raw = segment.strip(TRAILING).strip()
    if not raw:
        return None
    body = MARKER.sub("", raw).strip()
    title_match = TITLE.search(body)
    quoting = QUOTING_TITLE.match(body[title_match.end() :]) if title_match else None
    if quoting:
        end = title_match.end() + quoting.end()
        title, after = body[:end], body[end:]
    elif title_match:
        title = title_match.group(1)
        after = body[title_match.end() :]
    else:
        head = re.split(r"[：:]", body, maxsplit=1)[0]
        number = re.search(r"[（(][^（）()]*号[）)]", head)
        title = head[: number.start()] if number else ARTICLE.split(head)[0]
        after = head[len(title) :]
    number = DOC_NUMBER.match(after.strip())
    article = ARTICLE.search(after.split("：")[0].split(":")[0]) or (None if title_match else ARTICLE.search(body))
    title = title.strip(TRAILING).strip() or raw[:200]
    return LegalBasis(
        title=title,
        doc_number=number.group(1) if number else None,
        article=article.group(0) if article else None,
        raw=raw if raw != title else None,
    )


def split_legal_bases(text: str) -> list[LegalBasis]:
    """One LegalBasis per document cited in a cell, in the order printed."""
    text = (text or "").strip()
    if not text or text in ("无", "/", "-", "—"):
        return []
    return [basis for segment in _segments(text) if (basis := parse_basis(segment))]
