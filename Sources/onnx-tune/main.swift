print("onnx-tune")
