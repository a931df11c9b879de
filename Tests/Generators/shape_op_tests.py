"""Generates Tests/TuneIRTests/Ops/Shape/<Op>Tests.swift: ONNX backend node cases for the shape
family (inputs and expected outputs copied from onnx's test data) plus extra cases whose expected
values come from onnx's reference evaluator (onnx.reference.ReferenceEvaluator).

Pinned: onnx==1.22.0, numpy from /work/venv. Run: /work/venv/bin/python Tests/Generators/shape_op_tests.py
Tests never run this script; they hold the values it wrote.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx.reference import ReferenceEvaluator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "TuneIRTests", "Ops", "Shape")
NODE_DIR = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
MAX_ELEMENTS = 4000

OPS = [
    "CenterCropPad", "Compress", "EyeLike", "ReverseSequence", "Concat", "ConstantOfShape", "DepthToSpace", "Expand", "Flatten", "Gather", "GatherElements",
    "GatherND", "Identity", "NonZero", "OneHot", "Pad", "Range", "Reshape", "Scatter",
    "ScatterElements", "ScatterND", "Shape", "Size", "Slice", "SpaceToDepth", "Split", "Squeeze",
    "Tile", "Transpose", "Trilu", "Unique", "Unsqueeze",
]


def fmt_float(x, dtype) -> str:
    if np.isnan(x):
        return ".nan"
    if np.isinf(x):
        return ".infinity" if x > 0 else "-.infinity"
    s = np.format_float_positional(dtype(x), unique=True, trim="0")
    return s


def swift_tensor(a: np.ndarray) -> str:
    shape = "[" + ", ".join(str(d) for d in a.shape) + "]"
    flat = a.reshape(-1)
    dt = a.dtype
    if dt == np.float32:
        body = ", ".join(fmt_float(v, np.float32) for v in flat)
        return f"Tensor([{body}] as [Float], shape: {shape})"
    if dt == np.float64:
        body = ", ".join(fmt_float(v, np.float64) for v in flat)
        return f"Tensor([{body}] as [Double], shape: {shape})"
    if dt == np.float16:
        body = ", ".join(fmt_float(v, np.float16) for v in flat)
        return f"Tensor([{body}] as [Float16], shape: {shape})"
    if str(dt) == "bfloat16":
        bits = flat.view(np.uint16)
        body = ", ".join(f"BFloat16(bits: 0x{int(b):04x})" for b in bits)
        return f"Tensor([{body}] as [BFloat16], shape: {shape})"
    if dt == np.bool_:
        body = ", ".join("true" if v else "false" for v in flat)
        return f"Tensor([{body}] as [Bool], shape: {shape})"
    if dt.kind in "iu":
        name = {
            "int64": "Int64", "int32": "Int32", "int16": "Int16", "int8": "Int8",
            "uint64": "UInt64", "uint32": "UInt32", "uint16": "UInt16", "uint8": "UInt8",
        }[str(dt)]
        body = ", ".join(str(int(v)) for v in flat)
        return f"Tensor([{body}] as [{name}], shape: {shape})"
    if dt.kind in "OSU":
        body = ", ".join('"' + str(v.decode() if isinstance(v, bytes) else v).replace('"', '\\"') + '"' for v in flat)
        return f"ShapeOpHarness.strings([{body}], shape: {shape})"
    raise ValueError(f"no Swift literal for {dt}")


def swift_attribute(a: onnx.AttributeProto) -> str:
    t = a.type
    if t == onnx.AttributeProto.INT:
        return f'.int("{a.name}", {a.i})'
    if t == onnx.AttributeProto.INTS:
        return f'.ints("{a.name}", [{", ".join(str(i) for i in a.ints)}])'
    if t == onnx.AttributeProto.FLOAT:
        return f'.float("{a.name}", {fmt_float(a.f, np.float32)})'
    if t == onnx.AttributeProto.FLOATS:
        return f'.floats("{a.name}", [{", ".join(fmt_float(f, np.float32) for f in a.floats)}])'
    if t == onnx.AttributeProto.STRING:
        return f'.string("{a.name}", "{a.s.decode()}")'
    if t == onnx.AttributeProto.TENSOR:
        return f'ShapeOpHarness.tensorAttribute("{a.name}", {swift_tensor(numpy_helper.to_array(a.t))})'
    raise ValueError(f"attribute kind {t}")


def emit_case(name, node, opset, inputs, outputs, exact):
    lines = [f"  @Test func {name}() throws {{"]
    ins = ", ".join("nil" if x is None else swift_tensor(x) for x in inputs)
    attrs = ", ".join(swift_attribute(a) for a in node.attribute)
    lines.append(f"    let inputs: [Tensor?] = [{ins}]")
    lines.append(
        f"    let outputs = try ShapeOpHarness.run({node.op_type}.self, opset: {opset}, attributes: [{attrs}], "
        f"inputs: inputs, outputCount: {len(node.output)})"
    )
    lines.append(f"    try #require(outputs.count == {len(outputs)})")
    for k, o in enumerate(outputs):
        lines.append(f"    ShapeOpHarness.expectClose(outputs[{k}], {swift_tensor(o)}{', rtol: 0, atol: 0' if exact else ''})")
    lines.append("  }")
    return "\n".join(lines)


def load_backend_cases(op):
    cases = []
    for d in sorted(os.listdir(NODE_DIR)):
        path = os.path.join(NODE_DIR, d)
        m = onnx.load(os.path.join(path, "model.onnx"))
        if len(m.graph.node) != 1 or m.graph.node[0].op_type != op:
            continue
        node = m.graph.node[0]
        opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
        if any(not i.type.HasField("tensor_type") for i in m.graph.input):
            continue
        ds = os.path.join(path, "test_data_set_0")
        def read(prefix, n):
            out = []
            for i in range(n):
                t = TensorProto()
                with open(os.path.join(ds, f"{prefix}_{i}.pb"), "rb") as f:
                    t.ParseFromString(f.read())
                out.append(numpy_helper.to_array(t))
            return out
        ins = read("input", len(m.graph.input))
        # Map graph inputs onto node input positions ("" = omitted).
        by_name = {gi.name: x for gi, x in zip(m.graph.input, ins)}
        node_inputs = [by_name.get(n) if n else None for n in node.input]
        outs = read("output", len(m.graph.output))
        if max([x.size for x in ins + outs if x is not None] + [0]) > MAX_ELEMENTS:
            continue
        cases.append((d, node, opset, node_inputs, outs))
    return cases


NP_TO_ONNX = {
    np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.float16): TensorProto.FLOAT16, np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32, np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.uint8): TensorProto.UINT8, np.dtype(np.bool_): TensorProto.BOOL,
    np.dtype(object): TensorProto.STRING, np.dtype(np.int16): TensorProto.INT16,
}


def reference_case(name, op, opset, inputs, n_outputs=1, **attrs):
    names = [f"x{i}" if x is not None else "" for i, x in enumerate(inputs)]
    outs = [f"y{i}" for i in range(n_outputs)]
    node = helper.make_node(op, names, outs, **attrs)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, NP_TO_ONNX[x.dtype], x.shape) for n, x in zip(names, inputs) if x is not None],
        [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    feeds = {n: x for n, x in zip(names, inputs) if x is not None}
    results = ReferenceEvaluator(model).run(None, feeds)
    return (name, node, opset, inputs, [np.asarray(r) for r in results])


def numpy_case(name, op, opset, inputs, fn, n_outputs=1, **attrs):
    """A case whose expected outputs come from `fn` (NumPy) where the reference evaluator
    does not support the input (negative pads)."""
    names = [f"x{i}" if x is not None else "" for i, x in enumerate(inputs)]
    node = helper.make_node(op, names, [f"y{i}" for i in range(n_outputs)], **attrs)
    out = fn(*inputs)
    return (name, node, opset, inputs, [np.asarray(out)])


def rnd(shape, dtype=np.float32, seed=0):
    r = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return r.standard_normal(shape).astype(dtype)
    if dtype == np.bool_:
        return r.random(shape) > 0.5
    return r.integers(-50, 50, size=shape).astype(dtype)


def i64(*v):
    return np.array(v, dtype=np.int64)


def extra_cases():
    S = lambda *v: np.array(list(v), dtype=object)
    return {
        "Reshape": [
            reference_case("ref_reshape_int64_infer", "Reshape", 13, [np.arange(24, dtype=np.int64).reshape(2, 3, 4), i64(4, -1)]),
            reference_case("ref_reshape_allowzero_empty", "Reshape", 14, [np.zeros((0, 3), np.float32), i64(3, 0)], allowzero=1),
            reference_case("ref_reshape_strings", "Reshape", 13, [S("a", "b", "c", "d"), i64(2, 2)]),
        ],
        "Transpose": [
            reference_case("ref_transpose_nchw_to_nhwc", "Transpose", 13, [rnd((2, 3, 8, 9))], perm=[0, 2, 3, 1]),
            reference_case("ref_transpose_matrix_uint8", "Transpose", 13, [rnd((33, 70), np.uint8)], perm=[1, 0]),
            reference_case("ref_transpose_int64_5d", "Transpose", 13, [rnd((2, 3, 2, 4, 3), np.int64)], perm=[4, 0, 3, 1, 2]),
            reference_case("ref_transpose_float16_default", "Transpose", 13, [rnd((5, 70), np.float16)]),
            reference_case("ref_transpose_double_nhwc_to_nchw", "Transpose", 13, [rnd((2, 9, 10, 3), np.float64)], perm=[0, 3, 1, 2]),
            reference_case("ref_transpose_strings", "Transpose", 13, [S("a", "b", "c", "d", "e", "f").reshape(2, 3)]),
            reference_case("ref_transpose_unit_axes", "Transpose", 13, [rnd((1, 4, 1, 3))], perm=[2, 1, 0, 3]),
        ],
        "Squeeze": [
            reference_case("ref_squeeze_opset11_attribute", "Squeeze", 11, [rnd((1, 3, 1, 2))], axes=[0, -2]),
            reference_case("ref_squeeze_all_unit_axes", "Squeeze", 13, [rnd((1, 3, 1, 2))]),
        ],
        "Unsqueeze": [
            reference_case("ref_unsqueeze_opset11_attribute", "Unsqueeze", 11, [rnd((3, 2))], axes=[0, 3]),
            reference_case("ref_unsqueeze_scalar", "Unsqueeze", 13, [np.array(5, dtype=np.int64), i64(0)]),
        ],
        "Concat": [
            reference_case("ref_concat_int64_three_inputs", "Concat", 13, [rnd((2, 1, 3), np.int64), rnd((2, 4, 3), np.int64, 1), rnd((2, 2, 3), np.int64, 2)], axis=1),
            reference_case("ref_concat_empty_part", "Concat", 13, [rnd((2, 0)), rnd((2, 3))], axis=-1),
            reference_case("ref_concat_strings", "Concat", 13, [S("a", "b"), S("c")], axis=0),
            reference_case("ref_concat_bool_axis0", "Concat", 13, [rnd((1, 3), np.bool_), rnd((2, 3), np.bool_, 3)], axis=0),
        ],
        "Split": [
            reference_case("ref_split_opset11_attribute", "Split", 11, [rnd((2, 7))], 3, axis=1, split=[1, 2, 4]),
            reference_case("ref_split_opset2_equal", "Split", 2, [rnd((6, 2))], 3),
            reference_case("ref_split_opset18_num_outputs_uneven", "Split", 18, [np.arange(10, dtype=np.int64)], 4, num_outputs=4),
            reference_case("ref_split_opset13_no_split_input", "Split", 13, [rnd((2, 6), np.int32)], 2, axis=-1),
        ],
        "Slice": [
            reference_case("ref_slice_opset1_attributes", "Slice", 1, [rnd((3, 4, 5))], starts=[1, -3], ends=[1000, -1], axes=[0, 2]),
            reference_case("ref_slice_reverse_all", "Slice", 13, [rnd((4, 5)), i64(-1), i64(np.iinfo(np.int64).min), i64(1), i64(-1)]),
            reference_case("ref_slice_step3_clamped", "Slice", 13, [rnd((10, 3), np.int64), i64(-100), i64(100), i64(0), i64(3)]),
            reference_case("ref_slice_negative_step2", "Slice", 13, [rnd((10, 6)), i64(8, 5), i64(1, -100), i64(0, 1), i64(-2, -2)]),
            reference_case("ref_slice_empty_result", "Slice", 13, [rnd((4, 5)), i64(3), i64(1), i64(0)]),
            reference_case("ref_slice_int32_indices", "Slice", 13, [rnd((4, 5)), np.array([1], np.int32), np.array([3], np.int32), np.array([1], np.int32)]),
        ],
        "Gather": [
            reference_case("ref_gather_axis1_int32_negative", "Gather", 13, [rnd((3, 4, 2)), np.array([[0, -1], [2, 1]], np.int32)], axis=1),
            reference_case("ref_gather_scalar_index_int64_data", "Gather", 13, [rnd((3, 4), np.int64), np.array(2, np.int64)]),
            reference_case("ref_gather_strings", "Gather", 13, [S("a", "b", "c"), i64(2, 0, 2)]),
            reference_case("ref_gather_uint8_last_axis", "Gather", 13, [rnd((2, 5), np.uint8), i64(4, 0, 3)], axis=-1),
        ],
        "GatherElements": [
            reference_case("ref_gather_elements_3d_axis2", "GatherElements", 13, [rnd((2, 3, 4)), np.random.default_rng(1).integers(-4, 4, (2, 3, 3)).astype(np.int64)], axis=2),
        ],
        "GatherND": [
            reference_case("ref_gathernd_slices", "GatherND", 13, [rnd((3, 4, 5)), i64(2, 1, 0, 3).reshape(2, 2)]),
            reference_case("ref_gathernd_negative_index", "GatherND", 13, [rnd((3, 4)), i64(-1, -2).reshape(1, 2)]),
        ],
        "ScatterElements": [
            reference_case("ref_scatter_elements_add_int64_axis1", "ScatterElements", 18, [rnd((3, 4), np.int64), i64(0, 0, 3, -1, 1, 1).reshape(3, 2), rnd((3, 2), np.int64, 5)], axis=1, reduction="add"),
            reference_case("ref_scatter_elements_none_3d", "ScatterElements", 13, [rnd((2, 3, 2)), i64(2, 0, 1, 1).reshape(1, 2, 2), rnd((1, 2, 2), seed=4)], axis=1),
        ],
        "ScatterND": [
            reference_case("ref_scatternd_slices_int32", "ScatterND", 13, [rnd((4, 3), np.int32), i64(3, 0).reshape(2, 1), rnd((2, 3), np.int32, 9)]),
            reference_case("ref_scatternd_add_duplicates", "ScatterND", 16, [rnd((5,)), i64(1, 1, -1).reshape(3, 1), rnd((3,), seed=2)], reduction="add"),
        ],
        "Expand": [
            reference_case("ref_expand_lower_rank_shape", "Expand", 13, [rnd((3, 1)), i64(2, 1, 4)]),
            reference_case("ref_expand_int64_scalar", "Expand", 13, [np.array(7, np.int64), i64(2, 3)]),
            reference_case("ref_expand_bool", "Expand", 13, [rnd((1, 3), np.bool_), i64(2, 1)]),
        ],
        "Tile": [
            reference_case("ref_tile_uint8_3d", "Tile", 13, [rnd((2, 1, 3), np.uint8), i64(2, 3, 1)]),
            reference_case("ref_tile_zero_repeat", "Tile", 13, [rnd((2, 3)), i64(0, 2)]),
        ],
        "Pad": [
            reference_case("ref_pad_opset2_attribute_value", "Pad", 2, [rnd((2, 3))], pads=[1, 0, 0, 2], value=1.5),
            reference_case("ref_pad_reflect_large", "Pad", 13, [rnd((3, 4)), i64(2, 3, 2, 3)], mode="reflect"),
            reference_case("ref_pad_edge_int64", "Pad", 13, [rnd((2, 3), np.int64), i64(0, 2, 1, 0)], mode="edge"),
            reference_case("ref_pad_wrap_large", "Pad", 19, [rnd((2, 3)), i64(3, 4, 2, 5)], mode="wrap"),
            numpy_case("np_pad_negative_crop", "Pad", 13, [rnd((4, 5)), i64(-1, 2, 0, -2), np.array(9.0, np.float32)],
                       lambda x, p, v: np.pad(x[1:, :3], ((0, 0), (2, 0)), constant_values=9.0)),
            reference_case("ref_pad_int32_constant", "Pad", 13, [rnd((2, 2), np.int32), i64(1, 1, 1, 1), np.array(7, np.int32)]),
            reference_case("ref_pad_4d_spatial", "Pad", 18, [rnd((1, 2, 3, 3)), i64(1, 1, 1, 1), None, i64(2, 3)], mode="reflect"),
        ],
        "ConstantOfShape": [
            reference_case("ref_constant_of_shape_int64", "ConstantOfShape", 20, [i64(2, 3)], value=numpy_helper.from_array(np.array([7], np.int64))),
            reference_case("ref_constant_of_shape_default", "ConstantOfShape", 20, [i64(3)]),
            reference_case("ref_constant_of_shape_scalar", "ConstantOfShape", 20, [np.zeros((0,), np.int64)], value=numpy_helper.from_array(np.array([True]))),
        ],
        "Range": [
            reference_case("ref_range_int64", "Range", 11, [np.array(-3, np.int64), np.array(10, np.int64), np.array(4, np.int64)]),
            reference_case("ref_range_float_negative_delta", "Range", 11, [np.array(1.0, np.float32), np.array(-2.0, np.float32), np.array(-0.3, np.float32)]),
            reference_case("ref_range_double", "Range", 11, [np.array(0.5, np.float64), np.array(2.0, np.float64), np.array(0.25, np.float64)]),
            reference_case("ref_range_empty", "Range", 11, [np.array(5, np.int32), np.array(1, np.int32), np.array(1, np.int32)]),
        ],
        "OneHot": [
            # The spec gives all-off rows for indices outside [-depth, depth); the reference
            # evaluator wraps them with np.mod instead, so the expected values are written here.
            numpy_case("np_onehot_out_of_range_is_off", "OneHot", 11, [i64(0, 5, -6, -1), np.array(5, np.int64), np.array([0, 1], np.int64)],
                       lambda i, d, v: np.array([[1, 0, 0, 0, 0], [0] * 5, [0] * 5, [0, 0, 0, 0, 1]], np.int64)),
            reference_case("ref_onehot_axis0_2d", "OneHot", 11, [i64(1, 0, 2, 1).reshape(2, 2), np.array(3, np.int64), np.array([-1.0, 2.0], np.float32)], axis=0),
        ],
        "NonZero": [
            reference_case("ref_nonzero_float_3d", "NonZero", 13, [np.where(rnd((2, 3, 2)) > 0, rnd((2, 3, 2), seed=1), 0).astype(np.float32)]),
            reference_case("ref_nonzero_int64_none", "NonZero", 13, [np.zeros((2, 2), np.int64)]),
        ],
        "DepthToSpace": [
            reference_case("ref_depth_to_space_dcr_b3", "DepthToSpace", 13, [rnd((2, 18, 2, 3))], blocksize=3),
            reference_case("ref_depth_to_space_crd_b2", "DepthToSpace", 13, [rnd((1, 8, 3, 2), np.int64)], blocksize=2, mode="CRD"),
        ],
        "SpaceToDepth": [
            reference_case("ref_space_to_depth_b3", "SpaceToDepth", 13, [rnd((2, 2, 6, 3))], blocksize=3),
        ],
        "Trilu": [
            reference_case("ref_trilu_int64_batched_lower", "Trilu", 14, [rnd((2, 3, 4), np.int64), np.array(-1, np.int64)], upper=0),
        ],
        "Unique": [
            reference_case("ref_unique_int64_sorted_2d", "Unique", 11, [np.array([[3, 1, 3], [2, 1, 0]], np.int64)], 4),
            reference_case("ref_unique_axis1_sorted", "Unique", 11, [np.array([[1, 0, 1], [2, 3, 2]], np.float32)], 4, axis=1),
            reference_case("ref_unique_strings_unsorted", "Unique", 11, [S("b", "a", "b", "c")], 4, sorted=0),
        ],
        "CenterCropPad": [
            reference_case("ref_center_crop_pad_odd_int64", "CenterCropPad", 18, [rnd((5, 4), np.int64), i64(2, 7)]),
        ],
        "Compress": [
            reference_case("ref_compress_short_condition", "Compress", 11, [rnd((3, 4)), np.array([False, True], np.bool_)], axis=1),
        ],
        "EyeLike": [
            reference_case("ref_eyelike_negative_k_int32", "EyeLike", 9, [rnd((4, 3))], k=-1, dtype=TensorProto.INT32),
        ],
        "ReverseSequence": [
            reference_case("ref_reverse_sequence_3d", "ReverseSequence", 10, [rnd((4, 2, 3)), i64(3, 1)]),
        ],
        "Flatten": [
            reference_case("ref_flatten_axis_end", "Flatten", 13, [rnd((2, 3, 2))], axis=3),
        ],
        "Shape": [
            reference_case("ref_shape_opset13_scalar", "Shape", 13, [np.array(1.0, np.float32)]),
        ],
        "Size": [
            reference_case("ref_size_empty", "Size", 13, [np.zeros((3, 0), np.float32)]),
        ],
    }


def main():
    extras = extra_cases()
    for op in OPS:
        cases = [(c, False) for c in load_backend_cases(op)] + [(c, False) for c in extras.get(op, [])]
        if not cases:
            print("no cases for", op, file=sys.stderr)
            continue
        body = []
        for (name, node, opset, ins, outs), exact in cases:
            name = name if name.startswith("test_") else name
            body.append(emit_case(name, node, opset, ins, outs, exact))
        text = (
            "// Generated by Tests/Generators/shape_op_tests.py (onnx==1.22.0): ONNX backend node cases\n"
            "// (test_*) and onnx reference-evaluator cases (ref_*). Do not edit by hand.\n"
            "import Testing\nimport TuneIR\nimport TuneTensor\n\n"
            f"@Suite struct {op}Tests {{\n" + "\n\n".join(body) + "\n}\n"
        )
        with open(os.path.join(OUT, f"{op}Tests.swift"), "w") as f:
            f.write(text)
        print(op, len(cases))


if __name__ == "__main__":
    main()
