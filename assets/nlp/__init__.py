"""NLP steps over landed text: the sentiment of brand mentions."""

from assets.nlp.mention_sentiment import MENTION_SENTIMENT_KEY, NLP_GROUP, build_mention_sentiment_asset

__all__ = ["MENTION_SENTIMENT_KEY", "NLP_GROUP", "build_mention_sentiment_asset"]
