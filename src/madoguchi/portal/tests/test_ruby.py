"""Furigana for pages in やさしい日本語 (`{{ text|ruby:page }}`) and the readings behind it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from madoguchi.japanese.reading import furigana, reading_of
from madoguchi.portal.templatetags.portal_ruby import ruby, ruby_html


def page(*, plain: bool = True, language: str = "ja") -> SimpleNamespace:
    return SimpleNamespace(plain_japanese=plain, locale=SimpleNamespace(language_code=language))


@pytest.mark.parametrize(
    ("title", "reading"),
    [
        ("笠間稲荷神社", "かさまいなりじんじゃ"),
        ("笠間芸術の森公園", "かさまげいじゅつのもりこうえん"),
        ("笠間焼", "かさまやき"),
        ("茨城中央工業団地（笠間地区）", "いばらきちゅうおうこうぎょうだんち（かさまちく）"),
        ("友部", "ともべ"),
        ("岩間", "いわま"),
        ("愛宕山", "あたごやま"),
        ("児童手当", "じどうてあて"),
        ("予防接種", "よぼうせっしゅ"),
        ("ギャラリーロード", "ぎゃらりーろーど"),
    ],
)
def test_dictionary_reads_typical_kasama_names(title: str, reading: str) -> None:
    assert reading_of(title) == reading


@pytest.mark.parametrize(("title", "wrong"), [("佐白山", "さはくさん"), ("稲田", "いねだ")])
def test_dictionary_misreads_some_place_names_so_editors_reading_wins(title: str, wrong: str) -> None:
    # 佐白山 is さしろさん, 稲田 is いなだ: the page's `reading` field is there for these.
    assert reading_of(title) == wrong


def test_okurigana_stay_outside_the_ruby() -> None:
    assert furigana("市役所へ行きます") == [("市役所", "しやくしょ"), ("へ", None), ("行", "い"), ("きます", None)]
    assert furigana("ごみの出し方") == [("ごみの", None), ("出", "だ"), ("し", None), ("方", "かた")]
    assert furigana("ひらがなだけ") == [("ひらがなだけ", None)]


def test_plain_japanese_page_gets_ruby() -> None:
    html = ruby("笠間市のお知らせ", page())
    assert html == (
        "<ruby>笠間<rp>(</rp><rt>かさま</rt><rp>)</rp></ruby><ruby>市<rp>(</rp><rt>し</rt><rp>)</rp></ruby>"
        "のお<ruby>知<rp>(</rp><rt>し</rt><rp>)</rp></ruby>らせ"
    )


def test_other_pages_are_unchanged() -> None:
    assert ruby("笠間市", page(plain=False)) == "笠間市"
    assert ruby("笠間市", page(language="en")) == "笠間市"
    assert ruby("笠間市", None) == "笠間市"


def test_plain_text_is_escaped() -> None:
    assert (
        ruby("<b>市</b> & 町", page()) == "&lt;b&gt;<ruby>市<rp>(</rp><rt>し</rt><rp>)</rp></ruby>&lt;/b&gt; &amp; "
        "<ruby>町<rp>(</rp><rt>まち</rt><rp>)</rp></ruby>"
    )


def test_rich_text_is_annotated_in_its_text_only() -> None:
    html = mark_safe(
        '<p><a href="/市/" title="市役所">市役所</a>&amp;<code>市</code><ruby>町<rt>ちょう</rt></ruby></p>'
    )
    out = ruby(html, page())
    assert '<a href="/市/" title="市役所"><ruby>市役所<rp>(</rp><rt>しやくしょ</rt><rp>)</rp></ruby></a>' in out
    assert "&amp;<code>市</code><ruby>町<rt>ちょう</rt></ruby></p>" in out


def test_filter_in_a_template_with_richtext() -> None:
    template = Template("{% load portal_ruby %}{{ title|ruby:page }}|{{ body|ruby:page }}")
    out = template.render(Context({"title": "森", "body": mark_safe("<p>森</p>"), "page": page()}))
    assert (
        out
        == "<ruby>森<rp>(</rp><rt>もり</rt><rp>)</rp></ruby>|<p><ruby>森<rp>(</rp><rt>もり</rt><rp>)</rp></ruby></p>"
    )


def test_ruby_html_leaves_comments_and_scripts() -> None:
    assert ruby_html("<!-- 市 --><script>市</script>") == "<!-- 市 --><script>市</script>"
