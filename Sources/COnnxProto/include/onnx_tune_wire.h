// Hand-written helpers beside the protoc-c generated code (not generated; proto/regenerate.sh
// leaves this file alone).
#ifndef ONNX_TUNE_WIRE_H
#define ONNX_TUNE_WIRE_H
#include <stddef.h>
#include <stdint.h>
#include "onnx.pb-c.h"

/// Which top-level message a buffer holds.
typedef enum {
  ONNX_TUNE_MODEL = 0,
  ONNX_TUNE_TENSOR = 1,
} OnnxTuneMessageKind;

/// Result of `onnx_tune_check_wire`.
typedef enum {
  ONNX_TUNE_WIRE_OK = 0,
  /// A field's tag, varint or length runs past the end of its message (truncated file).
  ONNX_TUNE_WIRE_TRUNCATED = 1,
  /// Malformed: field number 0, groups, or an unknown wire type.
  ONNX_TUNE_WIRE_MALFORMED = 2,
  /// Sub-messages are nested deeper than `max_depth`.
  ONNX_TUNE_WIRE_TOO_DEEP = 3,
  /// A known field arrives with a wire type its declaration does not allow.
  ONNX_TUNE_WIRE_WRONG_TYPE = 4,
} OnnxTuneWireStatus;

/// Walks the protobuf wire format of `data` as message `kind` without allocating, following
/// every sub-message field the schema declares, so that unpacking (which recurses without a
/// limit) is only attempted on input whose nesting is at most `max_depth` messages deep.
/// On failure `*error_offset` is the byte offset of the offending field and `*field_number`
/// its number (0 when unknown).
OnnxTuneWireStatus onnx_tune_check_wire(const uint8_t *data, size_t length, OnnxTuneMessageKind kind,
                                        unsigned max_depth, size_t *error_offset,
                                        uint32_t *field_number);

/// Serializes `model` to the open file descriptor `fd` through a 1 MiB buffer.
/// Returns 0, or the `errno` of the failed write.
int onnx_tune_pack_model_to_fd(const Onnx__ModelProto *model, int fd);

/// Serializes `tensor` to `fd` (for TensorProto `.pb` files). Returns 0 or an `errno`.
int onnx_tune_pack_tensor_to_fd(const Onnx__TensorProto *tensor, int fd);

/// Writes all `len` bytes to `fd` (retrying short writes and EINTR). Returns 0 or an `errno`.
int onnx_tune_write_all(int fd, const uint8_t *data, size_t len);

#endif
