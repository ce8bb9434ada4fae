"""The pages nginx answers its own refusals with (400, 403, 405, 413, 414, 429, 50x), in Chinese and in
the site's look: the header bar in the site's red with its name, the same fonts, light and dark.

Each is one self-contained file (its style inline, no script, nothing fetched), so it shows the same on the
site's port, on Datasette's port (which has no site) and after a request nginx could not even read. The
build writes them into the site at `ERRORS_FOLDER/<code>.html`; the nginx template sends each status there
(`error_page`), an internal address readers cannot open, and allows the inline style by its hash
(`ERROR_STYLE_HASH`, filled in by serve_prod). A 404 is the site's own page (content/overrides/404.html).
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

# Not a valid record ID (IDs start with a letter or a digit), so no record's page can take it.
ERRORS_FOLDER = "_errors"

# status (file name) → (title, what happened and what to do)
ERRORS = {
    "400": ("请求格式不正确", "请求格式不正确，或请求头过大。请检查地址后重试。"),
    "403": ("禁止访问", "这个地址不对外开放。"),
    "405": ("不支持的请求方法", "这里只能查看和查询（GET、HEAD），不接受提交或修改。"),
    "413": ("请求内容过大", "请求内容过大，这里只接受查询。"),
    "414": ("网址过长", "网址过长（超过 8 KB），请缩短查询内容后重试。"),
    "429": ("请求过于频繁", "请求过于频繁，请稍后再试。"),
    "50x": ("服务暂时不可用", "数据库暂时无法访问，请稍后再试。"),
}

# The site's colours (content/stylesheets/qingdan.css: Material's red, darkened for contrast) and fonts.
ERROR_STYLE = """
:root{color-scheme:light dark;--fg:#000000de;--muted:#0000008a;--bg:#fff;--red:#c62828;--link:#c62828}
@media (prefers-color-scheme:dark){:root{--fg:#e2e4e9;--muted:#e2e4e98f;--bg:#1e2129;--link:#ef9a9a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 "Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",-apple-system,"Segoe UI",sans-serif}
header{background:var(--red);color:#fff;box-shadow:0 0 .2rem #0000001a,0 .2rem .4rem #0003}
header a{display:block;max-width:61rem;margin:0 auto;padding:.6rem 1rem;color:#fff;font-size:1.1rem;
font-weight:700;text-decoration:none}
main{max-width:61rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;font-weight:300;margin:1rem 0}
.code{color:var(--muted);font-size:.9rem}
a{color:var(--link);text-decoration:underline;text-underline-offset:.15em}
ul{padding-left:1.2rem}
footer{max-width:61rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.8rem}
""".strip()

ERROR_STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(ERROR_STYLE.encode("utf-8")).digest()).decode()

SITE_NAME = "qingdan 权责清单"


def error_page(code: str, base: str = "/", footer: str = SITE_NAME) -> str:
    """`base`: the site's path on its host (links go there, whatever address was refused); `footer`: the
    site's footer line (its stamp), as HTML."""
    title, message = ERRORS[code]
    base = escape(base, quote=True)
    shown = "服务器错误（5xx）" if code == "50x" else f"HTTP {code}"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} - {escape(SITE_NAME)}</title>\n"
        f"<style>{ERROR_STYLE}</style>\n</head>\n<body>\n"
        f'<header><a href="{base}">{escape(SITE_NAME)}</a></header>\n'
        f"<main>\n<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>\n"
        f'<p class="code">{escape(shown)}</p>\n'
        f'<ul>\n<li><a href="{base}">返回首页</a></li>\n<li><a href="{base}guides/">办事指南</a></li>\n</ul>\n'
        f"</main>\n<footer>{footer}</footer>\n</body>\n</html>\n"
    )


def error_pages(site_url: str | None = None, footer: str = SITE_NAME) -> dict[str, bytes]:
    """Site path → the page, for every status nginx answers itself."""
    base = urlsplit(site_url or "").path or "/"
    base = base if base.endswith("/") else base + "/"
    return {f"{ERRORS_FOLDER}/{code}.html": error_page(code, base, footer).encode("utf-8") for code in ERRORS}
