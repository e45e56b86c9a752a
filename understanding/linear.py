"""A small linear text classifier: TF-IDF of words and character n-grams, logistic regression
with balanced classes. Deterministic and quick to train (seconds), so a change to one intent's
examples moves its judgements only as much as those examples weigh, unlike a neural classifier
whose whole training run changes. Used as a second opinion beside DIET.

Optionally (`embeddings=`, an understanding.embeddings.Embeddings) each text's dense pretrained
vector, scaled by `embedding_weight`, sits beside the TF-IDF features; without it the model is
exactly the TF-IDF one. understanding/measure_embeddings.py measures both by cross-validation."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

# Each TF-IDF block is a unit vector per text, as is the dense one; this scales the dense block.
# Chosen by cross-validation (understanding/measure_embeddings.py).
DEFAULT_EMBEDDING_WEIGHT = 1.0


class DenseFeatures:
    """A scikit-learn transformer: texts -> their embedding vectors times `weight` (sparse, so the
    union with the TF-IDF blocks stays sparse). Nothing is learned. Pickles with the embeddings by
    reference (understanding.embeddings.Embeddings.__reduce__), not with the 16 MB table."""

    def __init__(self, embeddings: Any, weight: float = DEFAULT_EMBEDDING_WEIGHT) -> None:
        self.embeddings = embeddings
        self.weight = weight

    def fit(self, texts: Sequence[str], labels: Any = None) -> DenseFeatures:
        return self

    def transform(self, texts: Sequence[str]):
        from scipy.sparse import csr_matrix

        return csr_matrix(self.embeddings.vectors(list(texts)) * self.weight)

    def fit_transform(self, texts: Sequence[str], labels: Any = None):
        return self.fit(texts, labels).transform(texts)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {"embeddings": self.embeddings, "weight": self.weight}

    def set_params(self, **params: Any) -> DenseFeatures:
        for name, value in params.items():
            setattr(self, name, value)
        return self


class LinearTextModel:
    def __init__(self, embeddings: Optional[Any] = None,
                 embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        parts = [
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, min_df=2)]
        if embeddings is not None:
            parts.append(DenseFeatures(embeddings, embedding_weight))
        features = make_union(*parts)
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
