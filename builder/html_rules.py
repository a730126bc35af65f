"""How kb renders some Markdown tokens as HTML: task-list boxes with a name, code blocks with their title
and marked lines, Mermaid diagrams, alerts as notes, tables in a scrolling region, empty header cells."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from builder.anchors import heading_text
from builder.highlight import parse_info, render_code


def add_render_rules(md: MarkdownIt) -> None:
    md.add_render_rule("list_item_open", _task_list_item)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
    md.add_render_rule("alert_open", _alert_open)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    md.add_render_rule("th_open", _header_cell)
    md.add_render_rule("th_close", _header_cell)


def plain_text(inline: Token) -> str:
    """The text of an inline token, without its markup."""
    return heading_text(inline.children).strip()


def _task_list_item(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A task-list checkbox with an accessible name, which markdown-it's own lacks."""
    token = tokens[idx]
    result = renderer.renderToken(tokens, idx, options, env)
    if token.meta and "checked" in token.meta:
        checked, name = (' checked=""', "done") if token.meta["checked"] else ("", "to do")
        box = f'type="checkbox"{checked} aria-label="{name}"'
        result += f'<input class="task-list-item-checkbox" disabled="" {box}> '
    return result


def _fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Code with its title, language, marked lines and line numbers; a mermaid fence as a diagram whose
    source stays readable (and is what the diagram script draws from) until it is drawn."""
    token = tokens[idx]
    info = parse_info(unescapeAll(token.info))
    if info.language.lower() == "mermaid":
        env["has_diagram"] = True
        source = escapeHtml(token.content)
        pre = f'<pre class="mermaid" tabindex="0">{source}</pre>'
        return f'<div class="mermaid-diagram" data-pagefind-ignore>{pre}</div>\n'
    env["has_code"] = True
    return render_code(token.content, info) + "\n"


def _code_block(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    env["has_code"] = True
    return render_code(tokens[idx].content, parse_info("")) + "\n"


def _alert_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A GitHub alert is a note for assistive technology; its title (Note, Warning, ...) is its first text."""
    tokens[idx].attrSet("role", "note")
    return renderer.renderToken(tokens, idx, options, env)


def _table_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Tables scroll inside a focusable region named after their columns, so keyboards can scroll them."""
    columns = []
    for token in tokens[idx + 1 :]:
        if token.type == "thead_close" or token.type == "table_close":
            break
        if token.type == "inline" and token.content.strip():
            columns.append(plain_text(token))
    label = escapeHtml("Table: " + ", ".join(columns[:4]) + (", ..." if len(columns) > 4 else ""))
    table = renderer.renderToken(tokens, idx, options, env)
    return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">{table}'


def _table_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return renderer.renderToken(tokens, idx, options, env).rstrip("\n") + "</div>\n"


def _header_cell(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An empty header cell (the corner of a comparison table) is a plain cell: a header names something."""
    token = tokens[idx]
    inline = tokens[idx + 1] if token.nesting == 1 else tokens[idx - 1]
    if inline.type == "inline" and not inline.content.strip():
        return renderer.renderToken([token.copy(tag="td"), inline], 0, options, env)  # inline: no line break
    return renderer.renderToken(tokens, idx, options, env)
