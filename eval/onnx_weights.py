"""Torch weights back from a committed int8 ONNX cross-encoder, to go on training it.

Only the int8 file of a shipped model is committed; its training checkpoint lives in an ignored
folder and is gone on a new machine. `state_from_onnx` rebuilds a state dict for
`eval.cross_encoder.base_model` from the file: every int8 weight dequantised ((q - zero point)
x scale, per output channel), every fp32 tensor (biases, LayerNorms) exactly. A weight that
training left frozen comes back as MiniLM's own value where the file's is that value rounded to
int8 (within one quantisation step everywhere), so the frozen layers stay exactly MiniLM's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import InvalidInput

if TYPE_CHECKING:
    import torch

# "/model/bert/encoder/layer.3/attention/self/query/MatMul_quant" -> the torch module's name
_MATMUL = re.compile(r"^/model/(.+?)/(?:Gemm_)?MatMul_quant$")


def _dequantize(values: np.ndarray, scale: np.ndarray, zero_point: np.ndarray) -> np.ndarray:
    return (values.astype(np.float32) - zero_point.astype(np.float32)) * scale.astype(np.float32)


def onnx_tensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The file's weights under the torch model's parameter names, dequantised, and the
    quantisation step of each int8 one (per output channel, or one for the whole tensor)."""
    import onnx
    from google.protobuf.message import DecodeError
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(path)).graph
    except (OSError, ValueError, DecodeError) as exc:
        raise InvalidInput(f"Cannot read the ONNX model {path} ({exc}): pass a file written by `--export`.") from None
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    weights: dict[str, np.ndarray] = {}
    steps: dict[str, np.ndarray] = {}

    def take(name: str, quantized: str) -> None:
        base = quantized.removesuffix("_quantized")
        scale, zero = init[f"{base}_scale"], init[f"{base}_zero_point"]
        weights[name] = _dequantize(init[quantized], scale, zero)
        steps[name] = np.asarray(scale, dtype=np.float32)

    for node in graph.node:
        match = _MATMUL.match(node.name)
        if node.op_type == "MatMulInteger" and match:
            module = match.group(1).replace("/", ".")
            take(f"{module}.weight", node.input[1])
            weights[f"{module}.weight"] = weights[f"{module}.weight"].T  # ONNX keeps (in, out); torch (out, in)
            steps[f"{module}.weight"] = steps[f"{module}.weight"].reshape(-1, 1)
    for name in init:
        if name.startswith("model.") and name.endswith("_quantized") and "embeddings" in name:
            take(name.removeprefix("model.").removesuffix(".weight_quantized") + ".weight", name)
        elif name.startswith("model.") and init[name].dtype == np.float32 and not name.endswith("_scale"):
            weights[name.removeprefix("model.")] = init[name]
    return weights, steps


def state_from_onnx(model: "torch.nn.Module", path: Path) -> dict[str, "torch.Tensor"]:
    """A state dict for `model` (built by `base_model`) holding the ONNX file's weights.
    Raises InvalidInput when the file lacks a parameter the model has, or has it in another
    shape (a file of another architecture)."""
    import torch

    weights, steps = onnx_tensors(path)
    state = model.state_dict()
    out: dict[str, torch.Tensor] = {}
    for name, current in state.items():
        if name not in weights:
            if name.endswith("position_ids"):
                out[name] = current
                continue
            raise InvalidInput(f"The ONNX model {path} has no weight for {name}: it is not a reader or checker of this architecture.")
        value = weights[name]
        if tuple(value.shape) != tuple(current.shape):
            raise InvalidInput(f"The ONNX model {path} has {name} of shape {tuple(value.shape)}, the model {tuple(current.shape)}.")
        base = current.detach().numpy()
        step = steps.get(name)
        if step is not None and bool(np.all(np.abs(value - base) <= np.broadcast_to(step, value.shape) * 0.51 + 1e-7)):
            out[name] = current.clone()  # frozen in training: the file holds MiniLM's weight, rounded
        else:
            out[name] = torch.from_numpy(np.array(value, dtype=np.float32))  # a writable copy
    return out
