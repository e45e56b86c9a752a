"""Dense pretrained features for the linear models (understanding/embeddings.py, understanding/linear.py).

The first tests use a tiny tokenizer and table written to tmp_path, so they need nothing fetched;
the last ones use the real WordLlama files in build/embeddings (bot/fetch_embeddings.sh) and are
skipped when those are absent."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from safetensors.numpy import save_file

from understanding.embeddings import (
    TENSOR,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    Embeddings,
    MissingEmbeddings,
    default_directory,
)
from understanding.linear import DenseFeatures, LinearTextModel

SPACE = "\u2581"


def tiny_tokenizer() -> dict:
    """The shape of WordLlama's Llama-2 tokenizer JSON, with a vocabulary of a few tokens."""
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, SPACE: 3, "a": 4, "b": 5, "c": 6, SPACE + "a": 7, "ab": 8,
             "<0xC3>": 9, "<0xA9>": 10}
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for t, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": SPACE}, {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
        "pre_tokenizer": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{SPACE} a", "a b"]},
    }


def tiny_table() -> np.ndarray:
    table = np.zeros((11, 4), dtype=np.float16)
    table[7] = [3, 0, 0, 0]   # "▁a"
    table[5] = [0, 1, 0, 0]   # "b"
    table[6] = [0, 0, 2, 0]   # "c"
    table[3] = [0, 0, 0, 5]   # "▁"
    table[1] = [1, 1, 1, 1]   # "<s>"
    table[9] = [0, 2, 0, 0]   # "<0xC3>"
    table[10] = [0, 0, 0, 2]  # "<0xA9>"
    return table


@pytest.fixture
def tiny(tmp_path) -> Embeddings:
    (tmp_path / TOKENIZER_FILE).write_text(json.dumps(tiny_tokenizer()), encoding="utf-8")
    save_file({TENSOR: tiny_table()}, str(tmp_path / WEIGHTS_FILE))
    Embeddings._shared.pop(tmp_path.resolve(), None)
    yield Embeddings.shared(tmp_path)
    Embeddings._shared.pop(tmp_path.resolve(), None)


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_tokens_are_merged_by_rank_with_a_space_in_front(tiny):
    # "ab" -> "▁ab": the pair "▁ a" ranks before "a b", so the tokens are "▁a", "b" (not "▁", "ab")
    assert tiny.token_ids("ab") == [7, 5]
    assert tiny.token_ids("ab c") == [7, 5, 3, 6]
    assert tiny.token_ids("") == []


def test_special_tokens_are_cut_out_first_and_unknown_characters_fall_back_to_bytes(tiny):
    assert tiny.token_ids("<s>ab") == [1, 7, 5]
    assert tiny.token_ids("\u00e9") == [3, 9, 10]  # é is 0xC3 0xA9 in UTF-8
    assert tiny.token_ids("z") == [3, 0]  # no token and no byte tokens for it: <unk>


def test_a_vector_is_the_mean_of_its_token_rows_made_unit_length(tiny):
    v = tiny.vectors(["ab"])
    assert v.shape == (1, 4) and v.dtype == np.float32
    # mean of (3,0,0,0) and (0,1,0,0), then normalised: not the mean of the normalised rows
    assert np.allclose(v[0], unit([1.5, 0.5, 0, 0]), atol=1e-6)
    assert not np.allclose(v[0], unit([0.5, 0.5, 0, 0]), atol=1e-3)
    assert np.allclose(tiny.vectors(["ab c"])[0], unit([3, 1, 2, 5]), atol=1e-6)


def test_empty_text_is_the_zero_vector_and_a_batch_equals_single_calls(tiny):
    texts = ["ab", "", "ab c", "<s>", "c"]
    batch = tiny.vectors(texts)
    assert np.array_equal(batch[1], np.zeros(4, dtype=np.float32))
    for i, text in enumerate(texts):
        assert np.allclose(batch[i], tiny.vectors([text])[0], atol=1e-7)
    assert np.allclose(np.linalg.norm(batch[[0, 2, 3, 4]], axis=1), 1, atol=1e-6)
    assert tiny.vectors([]).shape == (0, 4)


def test_it_pickles_as_a_reference_and_refuses_other_weights(tiny, tmp_path):
    data = pickle.dumps(tiny)
    assert len(data) < 1000  # the directory and the fingerprint, not the table
    assert pickle.loads(data) is tiny
    table = tiny_table()
    table[6] = [0, 0, 0, 1]
    save_file({TENSOR: table}, str(tmp_path / WEIGHTS_FILE))
    Embeddings._shared.clear()
    with pytest.raises(ValueError, match="not the ones this model was trained with"):
        pickle.loads(data)


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(MissingEmbeddings, match="fetch_embeddings.sh"):
        Embeddings(tmp_path)


EXAMPLES = [("how long does an assessment take", "length"), ("how many days is the assessment", "length"),
            ("when will the assessment finish", "length"), ("what is early help", "early_help"),
            ("tell me about early help", "early_help"), ("early help meaning", "early_help")]


def test_without_embeddings_the_model_is_the_tfidf_one():
    model = LinearTextModel()
    features = model.pipeline.steps[0][1]
    assert [type(t).__name__ for _, t in features.transformer_list] == ["TfidfVectorizer", "TfidfVectorizer"]


def test_the_dense_block_sits_beside_tfidf_and_the_model_pickles_without_the_table(tiny):
    texts, labels = [t for t, _ in EXAMPLES], [label for _, label in EXAMPLES]
    plain = LinearTextModel().fit(texts, labels)
    model = LinearTextModel(tiny, embedding_weight=2.0).fit(texts, labels)
    features = model.pipeline.steps[0][1]
    assert isinstance(features.transformer_list[-1][1], DenseFeatures)
    width = features.transform(["ab"]).shape[1]
    assert width == plain.pipeline.steps[0][1].transform(["ab"]).shape[1] + 4
    dense = features.transform(["ab c"]).toarray()[0, -4:]
    assert np.allclose(dense, 2.0 * unit([3, 1, 2, 5]), atol=1e-6)
    again = pickle.loads(pickle.dumps(model))
    assert again.pipeline.steps[0][1].transformer_list[-1][1].embeddings is tiny
    assert again.rank("assessment how long") == model.rank("assessment how long")


# --- the real WordLlama files ---------------------------------------------------------------------
REAL = default_directory()
needs_real = pytest.mark.skipif(not ((REAL / WEIGHTS_FILE).is_file() and (REAL / TOKENIZER_FILE).is_file()),
                                reason=f"no embeddings in {REAL}: run bot/fetch_embeddings.sh to test the real ones")


@pytest.fixture(scope="module")
def real() -> Embeddings:
    return Embeddings.shared()


@needs_real
def test_the_real_tokenizer_gives_the_llama2_ids(real):
    # ids from the `tokenizers` library on the same JSON, encode(text, add_special_tokens=False)
    assert real.token_ids("hello world") == [22172, 3186]
    assert real.token_ids("  two  spaces ") == [259, 1023, 29871, 8162, 29871]
    assert real.token_ids("<s>hi</s> there") == [1, 7251, 2, 29871, 727]
    assert real.token_ids("emoji \U0001F600 ok") == [953, 29877, 2397, 29871, 243, 162, 155, 131, 3431]
    assert real.token_ids("he's got a knife!!") == [540, 29915, 29879, 2355, 263, 889, 1607, 6824]


@needs_real
def test_the_real_vectors_are_wordllamas(real):
    v = real.vectors(["my dad hits me", "he's got a knife!!", "how long does an assessment take", ""])
    assert v.shape == (4, 256) and real.table.shape == (32000, 256)
    # the first values of WordLlama's own embed(texts, norm=True) for the first two
    assert np.allclose(v[0, :4], [0.047201, 0.083393, -0.061861, -0.056742], atol=2e-6)
    assert np.allclose(v[1, :4], [-0.054457, 0.092722, 0.011401, 0.022459], atol=2e-6)
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1, atol=1e-5) and not v[3].any()
    close, far = real.vectors(["my father beats me"])[0] @ v[0], v[2] @ v[0]
    assert close > 0.4 > 0.1 > far
