"""Legal bases as bureaus print them in one cell, split into one entry per cited article.

`【法律】《中华人民共和国社会保险法》第八十八条：…【法规】《…条例》第四十条：…`,
`1.《社会保险稽核办法》（劳动和社会保险部令第16号）；2.…` or plain titles with their number in
brackets. Each entry keeps the citation as written (`raw`), with title, document number and
article picked out only where they are printed.

A citation of several articles of one document (`《…》第八十七条、第八十八条`, `第八十七条和第八十八条`)
becomes one entry per article, each with the same title and the same `raw`: the same matter in two
bureaus' lists is recognised by the articles they cite (`matters._basis_keys`), and a list citing
articles 87 and 88 together must meet a list citing 88 alone. A range (`第八十七条至第八十九条`) stays
one entry, its article the range as printed: the articles inside it are not printed, and writing
them out (第八十八条) would be a reading of ours, not the source's. Paragraphs of one article
(`第二十条第一款、第二款`) are one article: its entry keeps the paragraph list in the article text.

Brackets inside a document number are its year (`宁政发【2013】84号`, `川医保发[2019]31号`,
`琼府办〔2016〕299号`), never a tag: only 【…】 around a short word of the kind of document
(`【法律】`, `【行政法规】`, `【规章】`, `【规范性文件】`) starts a new citation.
"""

from __future__ import annotations

import re

from ..models import LegalBasis

# 【法律】, 【行政法规】, 【部门规章】, 【规范性文件】, 【设定依据】, 【其他】 …: the kind of the document cited
# next, a short word ending as these do. A year (【2013】) or any other bracketed text, a title in 【】
# (【工伤保险条例】) too, is part of the citation it stands in.
KIND_WORDS = r"法律|法规|法規|规章|規章|规范性文件|規範性文件|文件|司法解释|司法解釋|依据|依據|条约|條約|其他|其它"
MARKER = re.compile(rf"【(?:[^【】\d]{{0,8}}(?:{KIND_WORDS})|法律法[规規]|法律依[据據])】")
NUMBERED = re.compile(r"(?:^|(?<=[；;。\s]))[（(]?\d{1,2}[)）.、．]\s*(?=\S)")
SERIAL_ONLY = re.compile(r"[（(]?\d{1,2}[)）.、．]")  # a serial before a 【】 kind tag: no citation of its own
TITLE = re.compile(r"《([^《》]*(?:〈[^〉]*〉[^《》]*)*)》")
# The year of a document number, in any bracket bureaus print: 〔2019〕 ﹝2019﹞ [2019] (2019) （2019） 【2019】
YEAR = r"(?:〔|﹝|\[|\(|（|【)\d{4}(?:〕|﹞|\]|\)|）|】)"
# Traditional characters print 條 號 款 項 (第十四條, 人社部發〔2016〕120號): the same words, read alike.
HAO = "[号號]"
TIAO = "[条條]"
NUM = r"[一二三四五六七八九十百千零〇两兩\d]+"
NUMBER_BODY = rf"[^（）()]*?{YEAR}[^（）()]*?{HAO}|[^（）()]*令第?{NUM}{HAO}"  # 令〔2015〕第12号 too
# the number in a bracket that also gives the date of issue: (2014年2月21日中华人民共和国国务院令第649号发布)
DOC_NUMBER = re.compile(
    rf"^[（(](?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*)?({NUMBER_BODY})\s*"
    rf"(?:公布|发布|發布|發佈|颁布|頒布|印发|印發)?[）)]"
)
CITED_NUMBER = re.compile(rf"[（(](?:{NUMBER_BODY}|[^（）()]*{HAO})[）)]")
BARE_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{1,20}}(?:{YEAR}\s*第?\d+\s*{HAO}|令第?{NUM}{HAO})")
# A number printed after the title without brackets: 《中华人民共和国社会保险法》主席令第三十五号
NUMBER_AFTER = re.compile(rf"^\s*({BARE_NUMBER.pattern})")
PART = rf"第{NUM}[款项項目]|第[（(]{NUM}[)）][项項目]|[（(]{NUM}[)）]"
ARTICLE = re.compile(rf"第{NUM}(?:[、，,和及与與]{NUM})*{TIAO}(?:之{NUM})?(?:{PART})*")
LISTED = re.compile(rf"第({NUM}(?:[、，,和及与與]{NUM})+)({TIAO})")  # 第八十七、八十八条
# What may follow an article and still belong to it: more paragraphs of it (第一款、第二款), or the
# end of a range (至第八十九条).
MORE_PARTS = re.compile(rf"(?:\s*[、，,和及与與或]\s*(?:{PART})+)+")
RANGE_END = re.compile(rf"\s*(?:至|到|~|～|—|－|-)\s*{ARTICLE.pattern}")
# Between two articles cited of one document: 、 和 及 以及 与 或 and commas, nothing else.
JOINER = re.compile(r"\s*(?:、|，|,|和|及|以及|與|与|或|；|;)?\s*")
# 》 followed by these ends a title that quotes another: 关于印发《…》的通知
QUOTING_TITLE = re.compile(
    r"^[^，。；：:,;（(]{0,30}?的(?:通知|决定|決定|意见|意見|解释|解釋|批复|批覆|复函|復函|规定|規定|函)"
)
TRAILING = "；;。，, \n"


# Quotes a cell wraps around a citation or its serial (“1.《…》”, "《…》"): no part of the citation. Quotes around
# the law's own wording after an article (第十条：“…”) are kept.
STRAY_QUOTE = re.compile(
    r"[“\"](?=\s*(?:[（(]?\d{1,2}[)）.、．]\s*)?(?:【[^【】]{1,10}】)?《)|(?<=》)[”\"](?=\s*(?:[；;，,。]|$|第))"
)
# a title that starts right after an article or a document number, with no separator: a second act cited in the same
# cell (…第一百二十二条《食品生产许可管理办法》第四十九条); a title inside the quoted wording of an article is not
AFTER_CITATION = re.compile(rf"(?:{NUM}[条條](?:之{NUM})?(?:{PART})*|[号號][）)]|》)\s*$")


def _unquoted(text: str) -> str:
    """The cell without the stray quotes around its citations (see `STRAY_QUOTE`), the closing one of a cell
    wrapped in quotes too (“1.《…》第八十七条；2.…第四十条”)."""
    text = text.strip()
    if STRAY_QUOTE.match(text) and text[-1:] in '”"':
        text = text[:-1]
    return STRAY_QUOTE.sub("", text)


def _run_together(text: str) -> list[int]:
    """Where a second act starts right after the previous citation's article (no ；, no serial between): the
    starts of those titles, outside quoted wording (“…《…》…” quotes a law, it cites nothing)."""
    starts, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "“「":
            depth += 1
        elif ch in "”」":
            depth = max(0, depth - 1)
        elif ch == "《" and depth == 0 and i and ARTICLE.search(text[:i]) and AFTER_CITATION.search(text[:i]):
            if text[:i].rstrip().endswith("》"):
                continue  # 《…》《…》: two titles of one citation list, read as before
            starts.append(i)
    return starts


def _segments(text: str) -> list[str]:
    text = _unquoted(text)
    if not MARKER.search(text) and not NUMBERED.search(text) and (cuts := _run_together(text)):
        starts = [0, *cuts]
        return [part for a, b in zip(starts, starts[1:] + [len(text)], strict=True) for part in _segments_of(text[a:b])]
    return _segments_of(text)


def _segments_of(text: str) -> list[str]:
    if MARKER.search(text):
        starts = [m.start() for m in MARKER.finditer(text)]
        if starts[0] > 0 and text[: starts[0]].strip(TRAILING) and not SERIAL_ONLY.fullmatch(text[: starts[0]].strip()):
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
    titles = list(TITLE.finditer(text))
    # a citation starts at a title that opens the cell or a sentence; the text after an article up to the
    # next one is its quoted wording, whose own ；-separated clauses are not citations
    starts = [m.start() for m in titles if m.start() == 0 or re.search(r"[；;。\n][ \t\u3000]*$", text[: m.start()])]
    if len(starts) > 1:
        if text[: starts[0]].strip(TRAILING):
            starts.insert(0, 0)
        return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=True)]
    if len(titles) > 1 and re.search(r"[；;\n]", text):
        return re.split(r"[；;\n]+", text)
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and all(TITLE.search(line) or CITED_NUMBER.search(line) for line in lines):
        return lines
    return [text]


def articles(text: str, start: int = 0) -> list[str]:
    """The articles cited from `start` of `text`, as printed: one item per article or range, with its
    paragraphs (第二十条第一款、第二款). Only articles joined by 、 和 及 (or a comma) count: an
    article after other words is in a quotation or an explanation, not a citation."""
    found: list[str] = []
    position = start
    while match := ARTICLE.search(text, position):
        if found and JOINER.fullmatch(text, position, match.start()) is None:
            break
        end = match.end()
        if more := MORE_PARTS.match(text, end):
            end = more.end()
        if to := RANGE_END.match(text, end):  # a range is one citation (see the module's doc)
            end = to.end()
            if more := MORE_PARTS.match(text, end):
                end = more.end()
        written = text[match.start() : end].strip()
        if (listed := LISTED.fullmatch(written)) and not more:
            # 第八十七、八十八条: each article of the list, as 第…条
            found.extend(f"第{n}{listed.group(2)}" for n in re.split(r"[、，,和及与與]", listed.group(1)))
        else:
            found.append(written)
        position = end
    return found


# the wording an article quotes after it: 第十条：“…”  or 第十条 “…”, up to its closing quote
QUOTED_WORDING = re.compile(r"\s*[：:]?\s*[“「][^”」]*[”」]\s*[；;，,。]?\s*")
# an article opening a line, its wording after it (第六条：… or 第六条 …), in a cell quoting one document's articles
# (or a sentence: …给予最低生活保障。 第十一条 申请…)
LINE_ARTICLE = re.compile(rf"(?:\n|(?<=。))[ \t\u3000]*({ARTICLE.pattern})[ \t\u3000]*[：:\s]")
# a place in the cited document that is not an article: an item of its annex (附件第236项), an item or a 目
# …, or a section by its numbered heading (三、参保范围：)
LOCATOR = re.compile(
    rf"\s*((?:附件|附表)[一二三四五六七八九十\d]*(?:目录|目錄)?(?:第{NUM}[项項目条條])+|第{NUM}[项項目](?:第{NUM}[项項目])*"
    rf"|第{NUM}(?:[、，,]{NUM})*[章节節编編](?:[、，,]第{NUM}[章节節编編])*"  # chapters: 第一、二章
    r"|[一二三四五六七八九十]{1,3}、[^\s：:，,。；;、《》()（）]{2,16}(?=[：:]))"
)


def _articles_after_quotes(after: str, start: int) -> list[str]:
    """More articles of the same document, each after the quoted wording of the one before:
    《…》第十条：“…。”第十一条：“…。” cites 第十条 and 第十一条."""
    found: list[str] = []
    first = ARTICLE.search(after, start)
    if not first:
        return found
    position = first.end()
    for more in articles(after, first.start())[1:]:  # articles listed with 、 和 are already counted
        position = after.find(more, position) + len(more)
    while (quoted := QUOTED_WORDING.match(after, position)) and (match := ARTICLE.match(after, quoted.end())):
        listed = articles(after, match.start())
        found += listed
        position = match.end()
        for more in listed[1:]:
            position = after.find(more, position) + len(more)
    if not found:  # the wording unquoted, each article on its own line: 第三条：…。\n第六条：…。
        for line in LINE_ARTICLE.finditer(after, position):
            found += articles(after, line.start(1))
    return found


def _locator(after: str, start: int) -> list[str]:
    """A locator right after the title (and its number) that points into the cited document though it is no
    article (附件第236项, 第三目), kept as the article text as printed."""
    found = LOCATOR.match(after, start)
    return [found.group(1)] if found else []


def parse_bases(segment: str) -> list[LegalBasis]:
    """One citation as printed: one LegalBasis per article it cites (one without an article if none)."""
    raw = segment.strip(TRAILING).strip()
    if not raw:
        return []
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
        # a title whose 《 never closes (the cell was cut off: 《中华人民共和国社) is read without the 《
        body = body[1:] if body.startswith("《") else body
        head = re.split(r"[：:]", body, maxsplit=1)[0]
        number = CITED_NUMBER.search(head)
        title = head[: number.start()] if number else ARTICLE.split(head)[0]
        after = head[len(title) :]
    after = after.strip()
    number = DOC_NUMBER.match(after) or (NUMBER_AFTER.match(after) if title_match else None)
    doc_number = number.group(1) if number else None
    head = re.split(r"[：:]", after, maxsplit=1)[0]
    cited = articles(head, number.end() if number else 0)
    if cited and title_match:
        cited += _articles_after_quotes(after, number.end() if number else 0)
    if not cited and title_match:
        cited = _locator(after, number.end() if number else 0)
    if not cited and not title_match:
        first = ARTICLE.search(body)
        cited = articles(body, first.start()) if first else []
    title = title.strip(TRAILING).strip()
    if not title_match and doc_number is None and (bare := BARE_NUMBER.fullmatch(title)):
        doc_number = bare.group(0)  # a cell that is only a document number: 川医保发[2019]31号
    title = title or raw[:200]
    return [
        LegalBasis(title=title, doc_number=doc_number, article=article, raw=raw if raw != title else None)
        for article in cited or [None]
    ]


def parse_basis(segment: str) -> LegalBasis | None:
    """The first entry of `parse_bases` (one citation of one article), or None for an empty segment."""
    bases = parse_bases(segment)
    return bases[0] if bases else None


def split_legal_bases(text: str) -> list[LegalBasis]:
    """One LegalBasis per article of each document cited in a cell, in the order printed."""
    text = (text or "").strip()
    if not text or text in ("无", "/", "-", "—"):
        return []
    return [basis for segment in _segments(text) for basis in parse_bases(segment)]
