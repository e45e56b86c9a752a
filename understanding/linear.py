"""A small linear text classifier: TF-IDF of words and character n-grams, logistic regression
with balanced classes. Deterministic and quick to train (seconds), so a change to one intent's
examples moves its judgements only as much as those examples weigh, unlike a neural classifier
whose whole training run changes. Used as a second opinion beside DIET."""
from __future__ import annotations

from typing import List, Sequence, Tuple


class LinearTextModel:
    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, min_df=2))
        self.pipeline = make_pipeline(features, LogisticRegression(C=10, max_iter=3000, class_weight="balanced"))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LinearTextModel:
        if len(set(labels)) < 2:
            raise ValueError("a classifier needs examples of at least two labels")
        self.pipeline.fit(list(texts), list(labels))
        return self

    def rank(self, text: str, top: int = 3) -> List[Tuple[str, float]]:
        """The `top` labels for `text`, most likely first, with their probabilities."""
        probabilities = self.pipeline.predict_proba([text])[0]
        order = sorted(range(len(probabilities)), key=lambda i: -probabilities[i])[:top]
        return [(str(self.pipeline.classes_[i]), float(probabilities[i])) for i in order]
