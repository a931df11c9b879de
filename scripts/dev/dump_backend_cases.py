# Dumps ONNX backend node cases of given op types into raw files for a Swift dev harness.
import os, sys, json, glob, onnx
from onnx import numpy_helper
import numpy as np
root = os.path.join(os.path.dirname(onnx.__file__), "backend/test/data", os.environ.get("SUITE", "node"))
out = sys.argv[1]
ops = set(sys.argv[2].split(","))
os.makedirs(out, exist_ok=True)
n = 0
for case in sorted(os.listdir(root)):
    d = os.path.join(root, case)
    m = onnx.load(os.path.join(d, "model.onnx"))
    if len(m.graph.node) != 1: continue
    node = m.graph.node[0]
    if node.op_type not in ops: continue
    opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
    attrs = {}
    for a in node.attribute:
        v = onnx.helper.get_attribute_value(a)
        if isinstance(v, bytes): v = v.decode()
        elif isinstance(v, list): v = [x.decode() if isinstance(x, bytes) else x for x in v]
        elif a.type == onnx.AttributeProto.TENSOR: continue
        attrs[a.name] = {"type": int(a.type), "value": v}
    ds = sorted(glob.glob(os.path.join(d, "test_data_set_*")))[0]
    cd = os.path.join(out, case); os.makedirs(cd, exist_ok=True)
    inits = {t.name: t for t in m.graph.initializer}
    order = {"input": [v.name for v in m.graph.input if v.name not in inits],
             "output": [v.name for v in m.graph.output]}
    def dump(prefix, names):
        res = []
        for i, name in enumerate(names):
            if name == "": res.append(None); continue
            if name in inits:
                t = inits[name]
            else:
                p = os.path.join(ds, f"{prefix}_{order[prefix].index(name)}.pb")
                t = onnx.TensorProto(); t.ParseFromString(open(p, "rb").read())
            a = numpy_helper.to_array(t)
            if a.dtype.kind not in "fiub": return None
            fn = f"{prefix}{i}.bin"; np.ascontiguousarray(a).tofile(os.path.join(cd, fn))
            res.append({"file": fn, "dtype": int(t.data_type), "shape": list(a.shape)})
        return res
    ins = dump("input", list(node.input)); outs = dump("output", list(node.output))
    if ins is None or outs is None: continue
    json.dump({"op": node.op_type, "opset": opset, "attrs": attrs, "inputs": ins, "outputs": outs},
              open(os.path.join(cd, "case.json"), "w"))
    n += 1
print(n, "cases")
