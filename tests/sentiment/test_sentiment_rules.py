"""The default scorer on the cases it exists for (what SnowNLP alone gets wrong), its version, and its choice by
environment variable."""

import shutil

import pytest

from growthmart.config import SENTIMENT_SCORER_VAR
from growthmart.sentiment import Score, get_scorer, rules
from growthmart.sentiment.scorers import SnowNLPRulesScorer, SnowNLPScorer


@pytest.fixture(scope="module")
def scorer() -> SnowNLPRulesScorer:
    return SnowNLPRulesScorer()


def label(scorer, text: str) -> str:
    return scorer.score_batch([text])[0].label


@pytest.mark.parametrize("text", ["一点也不差", "不差", "没毛病", "一点都不贵", "完全不卡顿"])
def test_a_negated_complaint_is_positive(scorer, text):
    assert label(scorer, text) == "positive"


@pytest.mark.parametrize("text", ["不太好", "不是很满意", "不怎么好用", "没有想象中那么好"])
def test_negated_praise_is_negative(scorer, text):
    assert label(scorer, text) == "negative"


def test_snownlp_alone_reads_yi_dian_ye_bu_cha_as_negative_which_the_rules_fix(scorer):
    # Regression: the issue's own example; SnowNLP gives 一点也不差 0.06.
    assert SnowNLPScorer().score_batch(["一点也不差"])[0].label == "negative"
    assert label(scorer, "一点也不差") == "positive"


@pytest.mark.parametrize(
    "text",
    ["又要退货了", "面包发霉了", "客服不理人", "物流慢", "降价了还不给保价", "智商税", "包装压扁了"],
)
def test_complaints_about_quality_service_logistics_and_price_are_negative(scorer, text):
    assert label(scorer, text) == "negative"


@pytest.mark.parametrize("text", ["呵呵，真好", "这质量真是“好”", '这质量真是"好"', "买了个寂寞"])
def test_sarcasm_markers_turn_praise_negative(scorer, text):
    assert label(scorer, text) == "negative"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😡😡", "negative"),
        ("👎💩", "negative"),
        ("👍", "positive"),
        ("❤️😍", "positive"),
        ("[怒]", "negative"),
        ("[赞]", "positive"),
    ],
)
def test_emoji_carry_sentiment(scorer, text, expected):
    assert label(scorer, text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", None, "https://weibo.com/123/abc", "@禾屿官方 http://t.cn/A6x", "#", "。。。"]
)
def test_empty_or_url_only_text_is_neutral_at_one_half(scorer, text):
    assert scorer.score_batch([text]) == [Score("neutral", 0.5)]


def test_a_turn_weighs_more_than_what_it_concedes(scorer):
    assert label(scorer, "虽然有点贵，但是很好用") == "positive"
    assert label(scorer, "虽然好看，但是质量太差") == "negative"


def test_a_question_does_not_praise(scorer):
    assert label(scorer, "这款好用吗？") == "neutral"


def test_scores_lie_in_zero_one_and_follow_the_label(scorer):
    for s in scorer.score_batch(["很好用", "很差劲", "今天发布新品"]):
        assert 0 <= s.score <= 1
        assert (s.score > 0.5) == (s.label == "positive") or s.label == "neutral"


def test_the_version_changes_when_the_lexicon_changes_and_the_new_word_counts(tmp_path, scorer):
    lexicon = tmp_path / "lexicon.toml"
    shutil.copy(rules.LEXICON_PATH, lexicon)
    same = SnowNLPRulesScorer(lexicon)
    assert same.version == scorer.version
    assert label(same, "这杯子很鸡肋") != "negative"
    text = lexicon.read_text(encoding="utf-8").replace(
        'slang = [\n    "辣鸡",', 'slang = [\n    "鸡肋", "辣鸡",'
    )
    assert text != lexicon.read_text(encoding="utf-8")
    lexicon.write_text(text, encoding="utf-8")
    changed = SnowNLPRulesScorer(lexicon)
    assert changed.version != scorer.version
    assert changed.version.startswith("snownlp-0.12.3+rules-")
    assert label(changed, "这杯子很鸡肋") == "negative"


def test_a_word_listed_as_two_kinds_is_refused(tmp_path):
    lexicon = tmp_path / "lexicon.toml"
    text = rules.LEXICON_PATH.read_text(encoding="utf-8").replace(
        'general = [\n    "好评",', 'general = [\n    "差评", "好评",', 1
    )
    lexicon.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="'差评' is negative and positive|'差评' is positive and negative"):
        rules.Lexicon.load(lexicon)


def test_the_scorer_is_chosen_by_environment_variable(monkeypatch):
    monkeypatch.delenv(SENTIMENT_SCORER_VAR, raising=False)
    assert get_scorer().name == "snownlp_rules"
    monkeypatch.setenv(SENTIMENT_SCORER_VAR, "snownlp")
    assert get_scorer().name == "snownlp"
    monkeypatch.setenv(SENTIMENT_SCORER_VAR, "bert")
    with pytest.raises(
        ValueError,
        match="GROWTHMART_SENTIMENT_SCORER='bert' is no sentiment scorer; choose one of snownlp, snownlp_rules",
    ):
        get_scorer()
