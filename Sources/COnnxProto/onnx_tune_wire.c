// Hand-written helpers beside the protoc-c generated code; see include/onnx_tune_wire.h.
#include "include/onnx_tune_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (*pos >= len) return 0;
    uint8_t b = p[(*pos)++];
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return 1;
    }
  }
  return -1;  // longer than 10 bytes
}

static OnnxTuneWireStatus walk(const uint8_t *p, size_t len, const ProtobufCMessageDescriptor *desc,
                               unsigned depth, unsigned max_depth, size_t base,
                               size_t *error_offset, uint32_t *field_number) {
  size_t pos = 0;
  while (pos < len) {
    size_t start = pos;
    uint64_t key;
    int r = read_varint(p, len, &pos, &key);
    if (r <= 0) {
      *error_offset = base + start;
      *field_number = 0;
      return r == 0 ? ONNX_TUNE_WIRE_TRUNCATED : ONNX_TUNE_WIRE_MALFORMED;
    }
    uint32_t number = (uint32_t)(key >> 3);
    unsigned wire = (unsigned)(key & 7);
    *error_offset = base + start;
    *field_number = number;
    if (number == 0 || key >> 3 > 0x1fffffff) return ONNX_TUNE_WIRE_MALFORMED;
    const ProtobufCFieldDescriptor *field =
        desc ? protobuf_c_message_descriptor_get_field(desc, number) : NULL;
    switch (wire) {
      case 0: {
        uint64_t ignored;
        r = read_varint(p, len, &pos, &ignored);
        if (r <= 0) return r == 0 ? ONNX_TUNE_WIRE_TRUNCATED : ONNX_TUNE_WIRE_MALFORMED;
        if (field && (field->type == PROTOBUF_C_TYPE_MESSAGE || field->type == PROTOBUF_C_TYPE_STRING ||
                      field->type == PROTOBUF_C_TYPE_BYTES))
          return ONNX_TUNE_WIRE_WRONG_TYPE;
        break;
      }
      case 1:
        if (len - pos < 8) return ONNX_TUNE_WIRE_TRUNCATED;
        pos += 8;
        break;
      case 5:
        if (len - pos < 4) return ONNX_TUNE_WIRE_TRUNCATED;
        pos += 4;
        break;
      case 2: {
        uint64_t n;
        r = read_varint(p, len, &pos, &n);
        if (r <= 0) return r == 0 ? ONNX_TUNE_WIRE_TRUNCATED : ONNX_TUNE_WIRE_MALFORMED;
        if (n > len - pos) return ONNX_TUNE_WIRE_TRUNCATED;
        if (field && field->type == PROTOBUF_C_TYPE_MESSAGE) {
          if (depth + 1 > max_depth) return ONNX_TUNE_WIRE_TOO_DEEP;
          OnnxTuneWireStatus s = walk(p + pos, (size_t)n, (const ProtobufCMessageDescriptor *)field->descriptor,
                                      depth + 1, max_depth, base + pos, error_offset, field_number);
          if (s != ONNX_TUNE_WIRE_OK) return s;
        }
        pos += (size_t)n;
        break;
      }
      default:
        return ONNX_TUNE_WIRE_MALFORMED;
    }
  }
  return ONNX_TUNE_WIRE_OK;
}

OnnxTuneWireStatus onnx_tune_check_wire(const uint8_t *data, size_t length, OnnxTuneMessageKind kind,
                                        unsigned max_depth, size_t *error_offset,
                                        uint32_t *field_number) {
  const ProtobufCMessageDescriptor *desc =
      kind == ONNX_TUNE_MODEL ? &onnx__model_proto__descriptor : &onnx__tensor_proto__descriptor;
  *error_offset = 0;
  *field_number = 0;
  return walk(data, length, desc, 1, max_depth, 0, error_offset, field_number);
}

typedef struct {
  ProtobufCBuffer base;
  int fd;
  int error;
  size_t used;
  uint8_t *storage;
} FileBuffer;

enum { FILE_BUFFER_SIZE = 1 << 20 };

int onnx_tune_write_all(int fd, const uint8_t *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    len -= (size_t)w;
  }
  return 0;
}

static void file_buffer_append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data) {
  FileBuffer *fb = (FileBuffer *)buffer;
  if (fb->error) return;
  if (fb->used + len > FILE_BUFFER_SIZE) {
    fb->error = onnx_tune_write_all(fb->fd, fb->storage, fb->used);
    fb->used = 0;
    if (fb->error) return;
  }
  if (len >= FILE_BUFFER_SIZE) {
    fb->error = onnx_tune_write_all(fb->fd, data, len);
    return;
  }
  memcpy(fb->storage + fb->used, data, len);
  fb->used += len;
}

static int pack_to_fd(const ProtobufCMessage *message, int fd) {
  FileBuffer fb = {{file_buffer_append}, fd, 0, 0, malloc(FILE_BUFFER_SIZE)};
  if (!fb.storage) return ENOMEM;
  protobuf_c_message_pack_to_buffer(message, &fb.base);
  if (!fb.error && fb.used) fb.error = onnx_tune_write_all(fd, fb.storage, fb.used);
  free(fb.storage);
  return fb.error;
}

int onnx_tune_pack_model_to_fd(const Onnx__ModelProto *model, int fd) {
  return pack_to_fd(&model->base, fd);
}

int onnx_tune_pack_tensor_to_fd(const Onnx__TensorProto *tensor, int fd) {
  return pack_to_fd(&tensor->base, fd);
}
