"""A Markdown plugin of this site: thematic breaks get a class the theme styles."""

from markdown_it import MarkdownIt


def fancy_rules(md: MarkdownIt) -> None:
    md.add_render_rule("hr", lambda renderer, tokens, idx, options, env: '<hr class="fancy">\n')
